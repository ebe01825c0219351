import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';

export type Channel = 'email' | 'webhook' | 'postal';
export type NoticeStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced';

export interface EmailPayload {
  kind: 'email';
  to: string;
  subject: string;
  text: string;
  lang: string;
  template?: string;
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}
export interface WebhookPayload {
  kind: 'webhook';
  body: Record<string, unknown>;
}
export interface PostalPayload {
  kind: 'postal';
  name: string;
  postal: string;
  subject: string;
  text: string;
  lang: string;
}
export type Payload = EmailPayload | WebhookPayload | PostalPayload;

export interface NoticeRow {
  id: number;
  case_id: number;
  stage: number;
  channel: Channel;
  idempotency_key: string;
  status: NoticeStatus;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  payload: Payload;
  message_id: string | null;
  created_at: Date;
  bounced_at: Date | null;
  bounce_reason: string | null;
}

/** The idempotency key of one notice: one case, one stage, one channel → one key, whatever happens. */
export function noticeKey(caseId: number | string, stage: number, channel: Channel): string {
  return `yojin-case-${caseId}-stage-${stage}-${channel}`;
}

/**
 * The Message-ID a notice carries on every attempt, so a receiver can recognise a re-send. The
 * installation's random id (generated once, kept in the store) keeps two installations — or a store
 * rebuilt from scratch, whose case ids start again at 1 — from ever producing the same Message-ID.
 */
export function messageIdFor(key: string, instance: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'yojin.invalid';
  return `<${key}.${instance}@${domain}>`;
}

const instanceCache = new WeakMap<object, string>();

/** The installation id (cached per store handle; `cacheKey` is the store, `db` may be its transaction). */
export async function instanceId(db: Queryable, cacheKey?: object): Promise<string> {
  const hit = cacheKey && instanceCache.get(cacheKey);
  if (hit) return hit;
  await db.query(
    `INSERT INTO notify_secrets (name, value) VALUES ('instance', $1) ON CONFLICT (name) DO NOTHING`,
    [randomBytes(6).toString('hex')],
  );
  const r = await db.query<{ value: string }>(`SELECT value FROM notify_secrets WHERE name = 'instance'`);
  // only a value read outside a transaction is known to be committed
  if (cacheKey && db === cacheKey) instanceCache.set(cacheKey, r.rows[0].value);
  return r.rows[0].value;
}

/**
 * Puts a notice in the outbox. Call it with the transaction that changes the case, so the notice
 * exists if and only if the change committed. A second enqueue of the same key is a no-op.
 */
export async function enqueue(
  tx: Queryable,
  n: {
    caseId: number;
    stage: number;
    channel: Channel;
    payload: Payload;
    at: Date;
    from: string;
    store?: object;
  },
): Promise<boolean> {
  const key = noticeKey(n.caseId, n.stage, n.channel);
  const r = await tx.query(
    `INSERT INTO notifications (case_id, stage, channel, idempotency_key, status, next_attempt_at, payload, message_id, created_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      n.caseId,
      n.stage,
      n.channel,
      key,
      n.at,
      JSON.stringify(n.payload),
      messageIdFor(key, await instanceId(tx, n.store), n.from),
    ],
  );
  return r.rowCount > 0;
}

export interface OutboxStatus {
  by_status: Record<string, number>;
  by_channel: Record<string, Record<string, number>>;
  due: number;
  oldest_due_at: string | null;
  in_flight_expired: number;
}

/** Outbox health: counts by status and channel, how many are due now, the oldest due one. */
export async function outboxStatus(ctx: AppContext): Promise<OutboxStatus> {
  const now = ctx.clock.now();
  const r = await ctx.store.query<{ channel: string; status: string; n: string }>(
    'SELECT channel, status, count(*) AS n FROM notifications GROUP BY channel, status',
  );
  const by_status: Record<string, number> = {};
  const by_channel: Record<string, Record<string, number>> = {};
  for (const row of r.rows) {
    by_status[row.status] = (by_status[row.status] ?? 0) + Number(row.n);
    by_channel[row.channel] ??= {};
    by_channel[row.channel][row.status] = Number(row.n);
  }
  const d = await ctx.store.query<{ n: string; oldest: Date | null; stuck: string }>(
    `SELECT count(*) FILTER (WHERE status = 'pending') AS n,
            min(next_attempt_at) FILTER (WHERE status = 'pending') AS oldest,
            count(*) FILTER (WHERE status = 'sending') AS stuck
       FROM notifications WHERE channel <> 'postal' AND next_attempt_at <= $1 AND status IN ('pending', 'sending')`,
    [now],
  );
  return {
    by_status,
    by_channel,
    due: Number(d.rows[0].n),
    oldest_due_at: d.rows[0].oldest ? new Date(d.rows[0].oldest).toISOString() : null,
    in_flight_expired: Number(d.rows[0].stuck),
  };
}

export async function listNotices(
  db: Queryable,
  q: { caseId?: number; status?: string; channel?: string; limit?: number } = {},
): Promise<NoticeRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.caseId !== undefined) where.push(`case_id = $${params.push(q.caseId)}`);
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.channel) where.push(`channel = $${params.push(q.channel)}`);
  const r = await db.query<NoticeRow>(
    `SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${params.push(q.limit ?? 100)}`,
    params,
  );
  return r.rows.map((n) => ({ ...n, id: Number(n.id), case_id: Number(n.case_id) }));
}

/**
 * Records a bounce for a notice named by its id, idempotency key or Message-ID (what a DSN carries).
 * The notice is marked bounced whatever its status (a bounce can arrive after "sent"); audited.
 */
export async function recordBounce(
  ctx: AppContext,
  ref: string,
  reason: string,
  actor: string,
): Promise<NoticeRow> {
  const mid = ref.startsWith('<') ? ref : `<${ref}>`;
  return ctx.store.transaction(async (tx) => {
    const r = await tx.query<NoticeRow>(
      `UPDATE notifications SET status = 'bounced', bounced_at = $2, bounce_reason = $3
        WHERE id = (SELECT id FROM notifications
                     WHERE idempotency_key = $1 OR message_id = $4 OR message_id = $1
                        OR id = CASE WHEN $1 ~ '^[0-9]{1,18}$' THEN CAST($1 AS bigint) END LIMIT 1)
        RETURNING *`,
      [ref, ctx.clock.now(), reason.slice(0, 1000), mid],
    );
    if (r.rows.length === 0)
      throw new YojinError(
        'NOTICE_NOT_FOUND',
        `no notice with id, key or Message-ID "${ref}"; see \`yojin outbox status\``,
      );
    const n = r.rows[0];
    await appendAudit(
      tx,
      {
        actor,
        action: 'notice.bounce',
        outcome: 'done',
        subject: `case:${n.case_id}`,
        details: { notice: n.idempotency_key, reason: reason.slice(0, 200) },
      },
      ctx.clock,
    );
    return { ...n, id: Number(n.id), case_id: Number(n.case_id) };
  });
}
