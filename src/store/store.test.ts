import { testBackends } from '../testing/stores.js';
import { storeConformance } from './store.conformance.js';

for (const backend of testBackends()) storeConformance(backend);
