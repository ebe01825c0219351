export { DEFAULT_MEASURES } from './defaults.js';
export { type AccessRequest, type Grant, hasConsent, MeasureGate } from './gate.js';
export { MeasureRegistry } from './registry.js';
export {
  DATA_CATEGORIES,
  type DataCategory,
  LEGAL_BASES,
  type LegalBasis,
  type Measure,
  REQUIRED_JUSTIFICATION,
} from './types.js';
