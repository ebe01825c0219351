import { type TProperties, Type } from '@sinclair/typebox';

function obj<P extends TProperties>(props: P, description: string) {
  return Type.Object(props, { additionalProperties: false, default: {}, description });
}

/** `[smtp]`: where e-mail notices go (YOJIN_SMTP_URL). */
export const smtpConfigSchema = obj(
  {
    url: Type.String({
      default: 'smtp://127.0.0.1:25',
      description:
        'smtp:// or smtps:// URL of the mail relay (user:password@ allowed), e.g. smtp://127.0.0.1:2525.',
    }),
    from: Type.String({
      default: 'yojin <noreply@localhost>',
      description: 'From address of notices; its domain is also the right-hand side of Message-IDs.',
    }),
    pool: Type.Integer({ default: 5, minimum: 1, maximum: 100, description: 'Parallel SMTP connections.' }),
  },
  'The SMTP relay e-mail notices are handed to.',
);

/** `[notify]`: the outbox sender and the non-mail channels. */
export const notifyConfigSchema = obj(
  {
    webhook_url: Type.String({
      default: '',
      description: "URL of the ISP CRM's webhook (the webhook channel posts signed JSON there).",
    }),
    webhook_secret: Type.String({
      default: '',
      description:
        'HMAC-SHA256 key of the webhook signature (X-Yojin-Signature); required for the webhook channel.',
    }),
    max_attempts: Type.Integer({
      default: 8,
      minimum: 1,
      description: 'Attempts before a notice is marked failed.',
    }),
    backoff_seconds: Type.Integer({
      default: 60,
      minimum: 1,
      description: 'First retry delay; doubles with each attempt (capped at 1 day).',
    }),
    lease_seconds: Type.Integer({
      default: 300,
      minimum: 1,
      description:
        'How long a claimed ("sending") notice is reserved for its sender; after that a crashed send is retried with the same Message-ID.',
    }),
    rate_email_per_minute: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'Most e-mails sent per minute by one sender (0 = unlimited).',
    }),
    rate_webhook_per_minute: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'Most webhook calls per minute by one sender (0 = unlimited).',
    }),
    batch: Type.Integer({ default: 200, minimum: 1, description: 'Notices claimed per sender round.' }),
    timeout_ms: Type.Integer({ default: 15000, minimum: 100, description: 'Timeout of one delivery.' }),
  },
  'The notice outbox: retries, leases, rate limits, webhook channel.',
);
