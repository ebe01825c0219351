import { createHash } from 'node:crypto';
import type { Clock } from '../clock/index.js';
import { systemClock } from '../clock/index.js';
import type { Queryable, Store } from '../store/index.js';
import { canonicalJson } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  /** Who: a token/user name, or a component (`dns`, `worker:attribution`). */
  actor: string;
  /** What was done: `subscriber.view`, `attribution.lookup`, `consent.change`, `measure.authorize`, … */
  action: string;
  /** allowed | denied | done */
  outcome: 'allowed' | 'denied' | 'done';
  measure?: string;
  legalBasis?: string;
  /** What was touched, e.g. `subscriber:S123`, `evidence:42`. */
  subject?: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<Omit<AuditEvent, 'measure' | 'legalBasis' | 'subject'>> {
  seq: number;
  at: Date;
  measure: string | null;
  legalBasis: string | null;
  subject: string | null;
  prevHash: string;
  hash: string;
}

interface Row {
  seq: number;
  at: Date;
  actor: string;
  measure: string | null;
  legal_basis: string | null;
  action: string;
  subject: string | null;
  outcome: AuditRecord['outcome'];
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** The hash of one record: what is hashed is exactly what is stored, so any edit shows. */
export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  const body = canonicalJson([
    r.seq,
    r.at.toISOString(),
    r.actor,
    r.measure,
    r.legalBasis,
    r.action,
    r.subject,
    r.outcome,
    r.details,
  ]);
  return createHash('sha256').update(r.prevHash).update('\n').update(body).digest('hex');
}

/** The record an event becomes at position `seq` after the record hashed `prevHash` (before its own hash). */
export function auditRecord(
  event: AuditEvent,
  seq: number,
  at: Date,
  prevHash: string,
): Omit<AuditRecord, 'hash'> {
  return {
    seq,
    at,
    actor: event.actor,
    measure: event.measure ?? null,
    legalBasis: event.legalBasis ?? null,
    action: event.action,
    subject: event.subject ?? null,
    outcome: event.outcome,
    details: event.details ?? {},
    prevHash,
  };
}

/** audit_log's columns, in the order of `auditRow`: single appends INSERT them, batches COPY them. */
export const AUDIT_COLUMNS = [
  'seq',
  'at',
  'actor',
  'measure',
  'legal_basis',
  'action',
  'subject',
  'outcome',
  'details',
  'prev_hash',
  'hash',
];

/** A hashed record as the values of AUDIT_COLUMNS. */
export function auditRow(rec: Omit<AuditRecord, 'hash'>, hash: string): unknown[] {
  return [
    rec.seq,
    rec.at,
    rec.actor,
    rec.measure,
    rec.legalBasis,
    rec.action,
    rec.subject,
    rec.outcome,
    rec.details,
    rec.prevHash,
    hash,
  ];
}

/** The advisory lock every append takes, so single and batch appends interleave safely. */
export const AUDIT_LOCK = 7235002;

/**
 * Appends one audit record, chained to the previous one. Pass a transaction to make the record part
 * of the change it describes (it is then rolled back with it); records are serialised by a lock.
 */
export async function appendAudit(
  db: Queryable | Store,
  event: AuditEvent,
  clock: Clock = systemClock,
): Promise<AuditRecord> {
  const run = async (tx: Queryable) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const last = await tx.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const prev = last.rows[0];
    const rec = auditRecord(
      event,
      prev ? prev.seq + 1 : 1,
      new Date(clock.now().getTime()),
      prev ? prev.hash : GENESIS_HASH,
    );
    const hash = recordHash(rec);
    await tx.query(
      `INSERT INTO audit_log (${AUDIT_COLUMNS.join(', ')}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
      auditRow(rec, hash),
    );
    return { ...rec, hash };
  };
  // A bare store gets its own transaction so the advisory lock spans read and insert.
  return 'transaction' in db ? db.transaction(run) : run(db);
}

export interface VerifyReport {
  ok: boolean;
  checked: number;
  /** The first record whose link is broken, and why. */
  firstBroken?: { seq: number; reason: string };
}

/** Walks the whole chain in order and reports the first broken link (edited, removed or inserted rows). */
export async function verifyAudit(db: Queryable, pageSize = 5000): Promise<VerifyReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const page = await db.query<Row>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [
      expectedSeq,
      pageSize,
    ]);
    if (page.rows.length === 0) break;
    for (const row of page.rows) {
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          checked,
          firstBroken: { seq: expectedSeq, reason: `record ${expectedSeq} is missing (next is ${row.seq})` },
        };
      }
      if (row.prev_hash !== prevHash) {
        return {
          ok: false,
          checked,
          firstBroken: { seq: row.seq, reason: 'prev_hash does not match the previous record' },
        };
      }
      const expected = recordHash(fromRow(row));
      if (expected !== row.hash) {
        return {
          ok: false,
          checked,
          firstBroken: { seq: row.seq, reason: 'record content does not match its hash (edited)' },
        };
      }
      prevHash = row.hash;
      expectedSeq++;
      checked++;
    }
  }
  // Rows removed from the end cannot be seen from inside the chain; the head hash printed by verify
  // can be recorded elsewhere (e.g. in the monthly report) to detect that.
  return { ok: true, checked };
}

function fromRow(row: Row): Omit<AuditRecord, 'hash'> {
  return {
    seq: row.seq,
    at: new Date(row.at),
    actor: row.actor,
    measure: row.measure,
    legalBasis: row.legal_basis,
    action: row.action,
    subject: row.subject,
    outcome: row.outcome,
    details: row.details,
    prevHash: row.prev_hash,
  };
}

export interface AuditQuery {
  since?: Date;
  until?: Date;
  measure?: string;
  action?: string;
  subject?: string;
  actor?: string;
  limit?: number;
  /** Records with seq below this (paging backwards from the newest). */
  before?: number;
}

export async function listAudit(db: Queryable, q: AuditQuery = {}): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.since) add('at >= ?', q.since);
  if (q.until) add('at < ?', q.until);
  if (q.measure) add('measure = ?', q.measure);
  if (q.action) add('action = ?', q.action);
  if (q.subject) add('subject = ?', q.subject);
  if (q.actor) add('actor = ?', q.actor);
  if (q.before) add('seq < ?', q.before);
  params.push(Math.min(q.limit ?? 100, 1000));
  const r = await db.query<Row>(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  return r.rows.map((row) => ({ ...fromRow(row), hash: row.hash }));
}
