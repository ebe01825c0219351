import { type AuditEvent, auditRecord, auditRow, recordHash } from './log.js';

/** Where a batch of records joins the chain: the last record's seq and hash, and the batch's time. */
export interface ChainHead {
  seq: number;
  prevHash: string;
  /** The batch's timestamp, epoch milliseconds (one for every record of the batch). */
  at: number;
}

/**
 * The rows (values of AUDIT_COLUMNS) of `events` appended after `head`, each chained to the one
 * before exactly as appendAudit chains a single record. `head` is advanced past each record, so
 * that the next slice of a batch continues the chain. A generator, so that a consumer can encode
 * and send chunks while the rest is still being hashed.
 */
export function* chainedRows(events: readonly AuditEvent[], head: ChainHead): Generator<unknown[]> {
  const at = new Date(head.at);
  for (const e of events) {
    const rec = auditRecord(e, head.seq + 1, at, head.prevHash);
    const hash = recordHash(rec);
    head.seq = rec.seq;
    head.prevHash = hash;
    yield auditRow(rec, hash);
  }
}
