import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../app/index.js';
import { DAY_MS } from '../clock/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';

export interface LinkClaims {
  /** case id */
  c: number;
  /** subscriber id */
  s: string;
  /** expiry, unix seconds */
  e: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The key of self-service links: `[selfservice] secret`, else one generated once and kept in the store. */
const secretCache = new WeakMap<object, string>();

export async function linkSecret(ctx: AppContext, db: Queryable = ctx.store): Promise<string> {
  if (ctx.config.selfservice.secret) return ctx.config.selfservice.secret;
  const hit = secretCache.get(ctx.store);
  if (hit) return hit;
  await db.query(
    `INSERT INTO notify_secrets (name, value) VALUES ('selfservice-link', $1) ON CONFLICT (name) DO NOTHING`,
    [randomBytes(32).toString('hex')],
  );
  const r = await db.query<{ value: string }>(
    `SELECT value FROM notify_secrets WHERE name = 'selfservice-link'`,
  );
  // cached only once committed-visible through the store itself (a rolled-back insert must not stick)
  if (db === ctx.store) secretCache.set(ctx.store, r.rows[0].value);
  return r.rows[0].value;
}

export function signToken(secret: string, claims: LinkClaims): string {
  const body = b64(JSON.stringify(claims));
  const mac = createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/** Checks signature and expiry; the claims are only trusted after both. */
export function verifyToken(secret: string, token: string, now: Date): LinkClaims {
  const [body, mac, extra] = token.split('.');
  const bad = () =>
    new YojinError(
      'SELFSERVICE_LINK_INVALID',
      'this link is not valid; use the link in your latest notice / このリンクは無効です。最新の通知のリンクをご利用ください',
    );
  if (!body || !mac || extra !== undefined) throw bad();
  const want = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(mac, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw bad();
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof claims.c !== 'number' || typeof claims.s !== 'string' || typeof claims.e !== 'number')
    throw bad();
  if (claims.e * 1000 < now.getTime())
    throw new YojinError(
      'SELFSERVICE_LINK_EXPIRED',
      'this link has expired; contact support or use the link in a newer notice / このリンクは有効期限切れです',
    );
  return claims;
}

export function baseUrl(ctx: AppContext): string {
  const c = ctx.config;
  const base = c.selfservice.base_url || c.http.public_url || `http://${c.http.listen}`;
  return base.replace(/\/+$/, '');
}

/** A signed link to the self-service page of one case, valid for `[selfservice] link_days`. */
export async function selfServiceLink(
  ctx: AppContext,
  caseId: number,
  subscriberId: string,
  db: Queryable = ctx.store,
): Promise<{ url: string; token: string; expires: Date }> {
  const expires = new Date(ctx.clock.now().getTime() + ctx.config.selfservice.link_days * DAY_MS);
  const token = signToken(await linkSecret(ctx, db), {
    c: caseId,
    s: subscriberId,
    e: Math.floor(expires.getTime() / 1000),
  });
  return { url: `${baseUrl(ctx)}/self-service/${token}`, token, expires };
}
