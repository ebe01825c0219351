import type { Clock } from '../clock/index.js';
import type { Queryable } from '../store/index.js';
import {
  AUDIT_COLUMNS,
  AUDIT_LOCK,
  type AuditEvent,
  auditRecord,
  auditRow,
  GENESIS_HASH,
  recordHash,
} from './log.js';

/**
 * Appends many audit records in one go, chained exactly as appendAudit chains one: the lock, one
 * read of the head, hashes computed here, one bulk insert. Attribution writes one record per
 * attributed subscriber; doing that one appendAudit at a time (three round trips each) dominated a
 * 100k-evidence run, this takes one COPY. Must run inside the caller's transaction.
 */
export async function appendAuditBatch(tx: Queryable, events: AuditEvent[], clock: Clock): Promise<number> {
  if (events.length === 0) return 0;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await tx.query<{ seq: number | string; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  let seq = last.rows[0] ? Number(last.rows[0].seq) : 0;
  let prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  const at = new Date(clock.now().getTime());
  const rows: unknown[][] = [];
  for (const e of events) {
    const rec = auditRecord(e, ++seq, at, prevHash);
    const hash = recordHash(rec);
    rows.push(auditRow(rec, hash));
    prevHash = hash;
  }
  return tx.copyFrom('audit_log', AUDIT_COLUMNS, rows);
}
