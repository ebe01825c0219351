import type { AppContext } from '../app/index.js';
import { type Deliverer, smtpDeliverer, webhookDeliverer } from './channels.js';
import type { Channel, NoticeRow } from './outbox.js';

/** Spaces sends of one channel to at most `perMinute` (0 = unlimited). In-process: one limit per sender. */
class RateLimiter {
  private next = 0;
  constructor(private readonly perMinute: number) {}
  async take() {
    if (this.perMinute <= 0) return;
    const gap = 60_000 / this.perMinute;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + gap;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

export interface SendReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  bounced: number;
}

const SENDABLE: Channel[] = ['email', 'webhook'];

/**
 * Sends every due notice of the e-mail and webhook channels (postal notices wait for export).
 *
 * The protocol, and why nothing is lost or sent twice under a different identity:
 * 1. claim: in one transaction, take due rows with FOR UPDATE SKIP LOCKED (two senders never take the
 *    same row), set status 'sending', attempts+1 and a lease (next_attempt_at = now + lease); commit.
 * 2. deliver with the Message-ID / webhook id fixed when the notice was enqueued;
 * 3. mark 'sent' (or schedule a retry with exponential backoff, or 'failed'/'bounced').
 * A crash after 1 leaves 'sending' rows whose lease runs out; they are claimed again and re-sent with
 * the SAME Message-ID. So each notice is delivered at least once, and a receiver that keeps the
 * Message-IDs it has accepted (as MTAs and our CRM contract do) sees it exactly once.
 */
export async function sendDue(
  ctx: AppContext,
  opts: { deliverers?: Partial<Record<Channel, Deliverer>>; maxRounds?: number } = {},
): Promise<SendReport> {
  const cfg = ctx.config.notify;
  const report: SendReport = { claimed: 0, sent: 0, retried: 0, failed: 0, bounced: 0 };
  const owned: Deliverer[] = [];
  const deliverers: Partial<Record<Channel, Deliverer>> = { ...opts.deliverers };
  const get = (ch: Channel): Deliverer => {
    let d = deliverers[ch];
    if (!d) {
      d = ch === 'email' ? smtpDeliverer(ctx) : webhookDeliverer(ctx);
      deliverers[ch] = d;
      owned.push(d);
    }
    return d;
  };
  const limits: Record<string, RateLimiter> = {
    email: new RateLimiter(cfg.rate_email_per_minute),
    webhook: new RateLimiter(cfg.rate_webhook_per_minute),
  };
  try {
    for (let round = 0; round < (opts.maxRounds ?? Number.POSITIVE_INFINITY); round++) {
      const now = ctx.clock.now();
      const claimed = await ctx.store.transaction(async (tx) => {
        // A notice that crashed its sender max_attempts times is given up rather than retried forever.
        await tx.query(
          `UPDATE notifications SET status = 'failed', last_error = coalesce(last_error, 'lease expired') || ' (gave up)'
            WHERE status = 'sending' AND next_attempt_at <= $1 AND attempts >= $2`,
          [now, cfg.max_attempts],
        );
        const r = await tx.query<NoticeRow>(
          `UPDATE notifications SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2
            WHERE id IN (SELECT id FROM notifications
                          WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 AND channel = ANY($3)
                          ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
            RETURNING *`,
          [now, new Date(now.getTime() + cfg.lease_seconds * 1000), SENDABLE, cfg.batch],
        );
        return r.rows;
      });
      if (claimed.length === 0) break;
      report.claimed += claimed.length;
      const results = await Promise.all(
        claimed.map(async (n) => {
          await limits[n.channel]?.take();
          try {
            return { n, d: await get(n.channel).deliver(n) };
          } catch (err) {
            return {
              n,
              d: { ok: false as const, permanent: false, error: String((err as Error).message ?? err) },
            };
          }
        }),
      );
      const done = ctx.clock.now();
      const sent = results.filter((r) => r.d.ok).map((r) => Number(r.n.id));
      await ctx.store.transaction(async (tx) => {
        if (sent.length)
          await tx.query(
            `UPDATE notifications SET status = 'sent', sent_at = $2, last_error = NULL
              WHERE id = ANY($1) AND status = 'sending'`,
            [sent, done],
          );
        for (const { n, d } of results) {
          if (d.ok) continue;
          let status: string;
          let next = done;
          if (d.permanent) status = n.channel === 'email' ? 'bounced' : 'failed';
          else if (n.attempts >= cfg.max_attempts) status = 'failed';
          else {
            status = 'pending';
            const delay = Math.min(cfg.backoff_seconds * 2 ** (n.attempts - 1), 86_400) * 1000;
            next = new Date(done.getTime() + delay);
          }
          await tx.query(
            `UPDATE notifications SET status = $2, next_attempt_at = $3, last_error = $4,
                    bounced_at = CASE WHEN $2 = 'bounced' THEN CAST($5 AS timestamptz) ELSE bounced_at END,
                    bounce_reason = CASE WHEN $2 = 'bounced' THEN $4 ELSE bounce_reason END
              WHERE id = $1 AND status = 'sending'`,
            [n.id, status, next, d.error.slice(0, 1000), done],
          );
          if (status === 'pending') report.retried++;
          else if (status === 'bounced') report.bounced++;
          else report.failed++;
        }
      });
      report.sent += sent.length;
      if (claimed.length < cfg.batch) break;
    }
  } finally {
    for (const d of owned) await d.close();
  }
  return report;
}
