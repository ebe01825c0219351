/** The sharing hub (DESIGN §4 X): STIX 2.1, TAXII 2.1 server and client, automatic TLP, anonymisation, similar cases. */
export { openHub, type Hub } from './hub.js';
export { sharingRoutes } from './api.js';
export { registerShare } from './cli.js';
export { sharingService } from './service.js';
export { sharingConfigSchema } from './config.js';
export { addMember, exportCollection, syncAll, featuresFromInput, findSimilar } from './operations.js';
export { addCollection, addOrg, grant, listCollections, findCollection } from './orgs.js';
export { publishIndicators, indicatorBundleObjects } from './publish.js';
export { pullPartner, pushPartner, addPartner, listPartners } from './client/sync.js';
export { TaxiiClient } from './client/taxii-client.js';
export { CryptoPAn, scrubText, coarsenTimestamp } from './anonymize/index.js';
export * as stix from './stix/index.js';
export { indexReports, caseFeatures } from './similar/index.js';
