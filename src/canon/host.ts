import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { asciiLower, escapeBytes, utf8OrNull } from './bytes.js';
import { embeddedV4 } from './ip.js';

export class HostError extends Error {}

/**
 * One part of a legacy IPv4 spelling (inet_aton): 0x-prefixed hex, 0-prefixed octal, or decimal.
 * Returns NaN when the part is none of them.
 */
function ipv4Part(p: string): number {
  if (p.length === 0 || p.length > 34) return Number.NaN;
  if (/^0[xX][0-9a-fA-F]*$/.test(p)) return p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
  if (/^0[0-7]*$/.test(p)) return Number.parseInt(p, 8);
  if (/^[1-9][0-9]*$/.test(p)) return Number(p);
  return Number.NaN;
}

/**
 * An IPv4 host in any legal encoding — decimal, octal, hex, fewer than four parts (the last part fills
 * the remaining bytes: 3279880203 → 195.127.0.11, 1.2.3 → 1.2.0.3) — as a dotted quad; null if it is
 * not one (then it is a hostname).
 */
export function legacyIpv4(h: string): string | null {
  if (!/^[0-9a-fA-FxX.]+$/.test(h)) return null;
  const parts = h.split('.');
  if (parts.length > 4) return null;
  const nums = parts.map(ipv4Part);
  if (nums.some((n) => Number.isNaN(n))) return null;
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  const lastBytes = 4 - nums.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const out = [...nums];
  for (let i = lastBytes - 1; i >= 0; i--) out.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return out.join('.');
}

/** A bracketed IPv6 literal, normalised (RFC 5952); IPv4-mapped and NAT64 forms become IPv4. */
function bracketedIpv6(inner: string): string {
  if (inner.includes('%') || !ipaddr.IPv6.isValid(inner)) throw new HostError('not a valid IPv6 literal');
  const a = ipaddr.IPv6.parse(inner);
  const v4 = embeddedV4(a);
  return v4 ? v4.toString() : `[${a.toRFC5952String()}]`;
}

function trimDots(h: string): string {
  return h.includes('.') ? h.replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '') : h;
}

/**
 * The Safe Browsing host: port and user info gone, leading/trailing dots trimmed, runs of dots
 * collapsed, IDN to punycode, IPv4 in any encoding as a dotted quad, IPv6 normalised, lower case,
 * then escaped like the rest of the URL. `authority` is a binary string, already fully unescaped.
 */
export function canonicalHost(authority: string): string {
  let h = authority;
  const at = h.lastIndexOf('@');
  if (at >= 0) h = h.slice(at + 1);
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    if (close < 0) throw new HostError("missing ']' after an IPv6 literal");
    const after = h.slice(close + 1);
    if (after && !/^:\d*$/.test(after)) throw new HostError('unexpected text after an IPv6 literal');
    return bracketedIpv6(h.slice(1, close));
  }
  // An unbracketed IPv6 address (as some feeds write them) before the port is cut off.
  if (h.indexOf(':') !== h.lastIndexOf(':') && ipaddr.IPv6.isValid(h)) return bracketedIpv6(h);
  h = h.replace(/:\d*$/, '');
  if (h.includes(':')) throw new HostError('a host name cannot contain ":" (bad port?)');
  // Brackets only ever enclose an IPv6 literal. Left in a name, trimming dots could turn one into
  // what reads as an unclosed literal (".[" → "["): a canonical URL that no longer parses.
  if (/[[\]]/.test(h)) throw new HostError('"[" and "]" may only enclose an IPv6 literal');
  h = trimDots(h);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: non-ASCII bytes
  if (/[^\x00-\x7f]/.test(h)) {
    // Internationalised name: UTF-8 bytes → UTS #46 → punycode A-labels. Bytes that are no valid
    // name stay as they are (escaped below), which keeps canonicalisation total and idempotent.
    const text = utf8OrNull(h);
    const ascii = text === null ? '' : domainToASCII(text);
    if (ascii) h = trimDots(ascii);
  }
  if (!h) throw new HostError('empty host name');
  const v4 = legacyIpv4(h);
  if (v4) return v4;
  return escapeBytes(asciiLower(h));
}

/** True if a canonical host is an IP address (dotted quad or bracketed IPv6). */
export function isIpHost(host: string): boolean {
  return host.startsWith('[') || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
