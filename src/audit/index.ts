export { AUDIT_WORKER_MIN, type AuditWorker, appendAuditBatch, startAuditWorker } from './batch.js';
export { canonicalJson } from './canonical.js';
export {
  type AuditEvent,
  type AuditQuery,
  type AuditRecord,
  appendAudit,
  GENESIS_HASH,
  listAudit,
  recordHash,
  type VerifyReport,
  verifyAudit,
} from './log.js';
