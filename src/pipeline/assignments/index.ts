export { normalizeAddr, normalizePrefix, parsePortRange } from './addr.js';
export {
  ASSIGNMENT_FORMATS,
  type AssignmentFormat,
  type AssignmentImportOptions,
  type AssignmentImportReport,
  importAssignments,
} from './import.js';
export { type MapResult, type MapRule, mapeEndUserPrefix } from './mape.js';
export { csvRecords, type ImportInput, parseTime, readLines, splitCsv } from './text.js';
export { DHCP_SUBSCRIBER_FIELDS, type DhcpSubscriberField, type LineError } from './types.js';
