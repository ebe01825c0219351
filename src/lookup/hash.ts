import { hash } from 'node:crypto';
import { canonicalDomain, canonicalIp, canonicalUrlParts } from '../canon/index.js';

/** SHA-256 of an expression (UTF-8; canonical expressions are ASCII). */
export function fullHash(expression: string): Buffer {
  return hash('sha256', expression, 'buffer') as Buffer;
}

/** The 4-byte prefix of a full hash as a signed int32, the form the store indexes. */
export function prefixInt(full: Uint8Array): number {
  return (full[0] << 24) | (full[1] << 16) | (full[2] << 8) | full[3] | 0;
}

export function prefixToBase64(p: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(p | 0);
  return b.toString('base64');
}

/** Base64 → int32 prefix (first 4 bytes); null unless it decodes to 4–32 bytes. */
export function base64ToPrefix(s: string): { prefix: number; bytes: Buffer } | null {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return null;
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length < 4 || bytes.length > 32) return null;
  return { prefix: bytes.readInt32BE(0), bytes };
}

/** The host part of an expression ("host/path…"). */
export function expressionHost(expression: string): string {
  const i = expression.indexOf('/');
  return i < 0 ? expression : expression.slice(0, i);
}

export interface ListedExpression {
  expression: string;
  /** The listing covers subdomains too (a domain listing with scope 'domain', or a "*." wildcard). */
  subdomains: boolean;
}

/**
 * The Safe Browsing expression an indicator is listed under, or null when it has none:
 * URL → its canonical host/path?query; domain → "host/"; IP → "a.b.c.d/" or "[v6]/"; a CIDR only when
 * it is one address (a network has no expression: URL clients cannot match ranges by hash).
 */
export function indicatorExpression(kind: string, value: string, scope: string): ListedExpression | null {
  try {
    switch (kind) {
      case 'url': {
        const p = canonicalUrlParts(value);
        return {
          expression: `${p.host}${p.path}${p.query === null ? '' : `?${p.query}`}`,
          subdomains: false,
        };
      }
      case 'domain': {
        const wildcard = value.startsWith('*.');
        const d = canonicalDomain(wildcard ? value.slice(2) : value);
        return { expression: `${d}/`, subdomains: wildcard || scope === 'domain' };
      }
      case 'ip':
        return { expression: `${hostOfIp(canonicalIp(value))}/`, subdomains: false };
      case 'cidr': {
        const m = /^(.*)\/(32|128)$/.exec(value.trim());
        if (!m) return null;
        const ip = canonicalIp(m[1]);
        if ((m[2] === '32') !== !ip.includes(':')) return null;
        return { expression: `${hostOfIp(ip)}/`, subdomains: false };
      }
      default:
        return null;
    }
  } catch {
    return null; // a value that does not canonicalise cannot be matched by any client either
  }
}

function hostOfIp(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** Whether a confirmed match applies to a URL whose canonical host is `urlHost`. */
export function matchApplies(expression: string, subdomains: boolean, urlHost: string): boolean {
  return subdomains || expressionHost(expression) === urlHost;
}
