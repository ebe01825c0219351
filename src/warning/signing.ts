import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Lang } from './i18n.js';

/**
 * HMAC-SHA256 tokens for the continue link and the report form. Fields are encoded as a JSON array so
 * no choice of host or path can make two different field lists sign the same bytes; a purpose tag
 * keeps a form token from ever passing as a continue signature and vice versa.
 *
 * Both tokens are also bound to the client (its address, or IPv6 /64): someone who loads the page
 * for a host cannot hand the link to another person to make their browser skip the warning, and a
 * cross-site page cannot post a report with a token it fetched itself.
 */
export class Signer {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('warning signing secret must be at least 32 bytes');
  }

  sign(fields: Array<string | number>): string {
    return createHmac('sha256', this.secret).update(JSON.stringify(fields)).digest('base64url');
  }

  verify(fields: Array<string | number>, signature: string): boolean {
    if (typeof signature !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return false;
    const want = Buffer.from(this.sign(fields), 'base64url');
    const got = Buffer.from(signature, 'base64url');
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

export interface ContinueClaims {
  host: string;
  path: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  lang: Lang;
}

/** Query parameters of `/__yojin/continue`. */
export function signContinue(signer: Signer, c: ContinueClaims, client: string): URLSearchParams {
  const s = signer.sign(['continue', c.host, c.path, c.exp, c.lang, client]);
  return new URLSearchParams({ h: c.host, p: c.path, e: String(c.exp), l: c.lang, s });
}

export type ContinueCheck =
  | { ok: true; claims: ContinueClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'other-host' };

/**
 * Checks a continue request: well-formed, signed by us for this client, not expired, and issued for
 * the host the browser is now asking (the Host header).
 */
export function verifyContinue(
  signer: Signer,
  q: Record<string, unknown>,
  client: string,
  requestHost: string | undefined,
  nowSeconds: number,
): ContinueCheck {
  const { h, p, e, l, s } = q;
  if (typeof h !== 'string' || typeof p !== 'string' || typeof e !== 'string' || typeof s !== 'string')
    return { ok: false, reason: 'malformed' };
  if ((l !== 'ja' && l !== 'en') || !/^\d{1,12}$/.test(e)) return { ok: false, reason: 'malformed' };
  const claims: ContinueClaims = { host: h, path: p, exp: Number(e), lang: l };
  if (!signer.verify(['continue', h, p, claims.exp, l, client], s)) return { ok: false, reason: 'signature' };
  if (claims.exp < nowSeconds) return { ok: false, reason: 'expired' };
  if (requestHost !== h) return { ok: false, reason: 'other-host' };
  return { ok: true, claims };
}

/** The report form's anti-forgery token: `<exp>.<signature>`, bound to host and client. */
export function formToken(signer: Signer, host: string, client: string, exp: number): string {
  return `${exp}.${signer.sign(['report', host, client, exp])}`;
}

export function verifyFormToken(
  signer: Signer,
  token: unknown,
  host: string,
  client: string,
  nowSeconds: number,
): boolean {
  if (typeof token !== 'string') return false;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const exp = Number(m[1]);
  return exp >= nowSeconds && signer.verify(['report', host, client, exp], m[2]);
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
