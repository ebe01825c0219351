export {
  checkEvidenceFormat,
  DEFAULT_MEASURE,
  EVIDENCE_FORMATS,
  type EvidenceFormat,
  type EvidenceImportOptions,
  type EvidenceImportReport,
  importEvidence,
} from './import.js';
export type { EvidenceRow } from './types.js';
