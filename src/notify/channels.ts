import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import type { EmailPayload, NoticeRow, WebhookPayload } from './outbox.js';

/** The outcome of one delivery attempt. permanent: retrying cannot help (5xx, 4xx from the CRM). */
export type Delivery = { ok: true } | { ok: false; permanent: boolean; error: string };

export interface Deliverer {
  deliver(n: NoticeRow): Promise<Delivery>;
  close(): Promise<void>;
}

/**
 * E-mail through the configured relay. The Message-ID is the notice's, fixed at enqueue time and the
 * same on every attempt: that is what lets the receiving side drop a re-send after a crash.
 */
export function smtpDeliverer(ctx: AppContext): Deliverer {
  const { url, from, pool } = ctx.config.smtp;
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: pool,
    maxMessages: Number.POSITIVE_INFINITY,
    connectionTimeout: ctx.config.notify.timeout_ms,
    greetingTimeout: ctx.config.notify.timeout_ms,
    socketTimeout: ctx.config.notify.timeout_ms,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async deliver(n) {
      const p = n.payload as EmailPayload;
      try {
        await transport.sendMail({
          from,
          to: p.to,
          subject: p.subject,
          text: p.text,
          messageId: n.message_id ?? undefined,
          headers: { 'X-Yojin-Notice': n.idempotency_key, ...(p.headers ?? {}) },
          attachments: p.attachments?.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
          })),
        });
        return { ok: true };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        const code = e.responseCode ?? 0;
        return {
          ok: false,
          permanent: code >= 500 && code < 600,
          error: `${code || ''} ${e.message ?? err}`.trim(),
        };
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** The signature a webhook receiver checks: HMAC-SHA256 over "timestamp.body" with the shared key. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * JSON to the ISP's CRM. Headers: X-Yojin-Id (the idempotency key; the CRM drops a repeat),
 * X-Yojin-Timestamp (unix seconds; the CRM refuses stale ones), X-Yojin-Signature (sha256=HMAC).
 */
export function webhookDeliverer(ctx: AppContext): Deliverer {
  const { webhook_url: url, webhook_secret: secret, timeout_ms } = ctx.config.notify;
  return {
    async deliver(n) {
      if (!url || !secret)
        throw new YojinError(
          'NOTIFY_CHANNEL_UNCONFIGURED',
          'the webhook channel needs notify.webhook_url and notify.webhook_secret',
        );
      const p = n.payload as WebhookPayload;
      // The id is the notice's Message-ID without brackets: fixed at enqueue, unique across installations.
      const id = (n.message_id ?? n.idempotency_key).replace(/^<|>$/g, '');
      const body = JSON.stringify({ id, ...p.body });
      const ts = String(Math.floor(ctx.clock.now().getTime() / 1000));
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-yojin-id': id,
            'x-yojin-timestamp': ts,
            'x-yojin-signature': signWebhook(secret, ts, body),
          },
          body,
          signal: AbortSignal.timeout(timeout_ms),
        });
        await res.arrayBuffer();
        if (res.ok) return { ok: true };
        const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
        return { ok: false, permanent, error: `HTTP ${res.status}` };
      } catch (err) {
        return { ok: false, permanent: false, error: String((err as Error).message ?? err) };
      }
    },
    async close() {},
  };
}
