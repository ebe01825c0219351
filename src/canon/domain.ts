import { domainToASCII } from 'node:url';
import { parse as parseDomain } from 'tldts';
import { invalid } from './invalid.js';
import { parseAddr } from './ip.js';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * A domain as a lower-case A-label name (IDN through UTS #46 / punycode), trailing dot removed,
 * validated: labels 1–63 of [a-z0-9-_] not starting or ending in '-', at most 253 characters, not an
 * IP address. Wildcards ("*.") are not domains: callers strip them and record the scope instead.
 */
export function canonicalDomain(input: string): string {
  let s = input.trim();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (!s) throw invalid('domain', input, 'empty');
  if (s.includes('*')) throw invalid('domain', input, 'wildcards are not part of a domain; strip "*." first');
  if (s.includes('..') || s.startsWith('.')) throw invalid('domain', input, 'empty label');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: non-ASCII means IDN
  const ascii = /[^\x00-\x7f]/.test(s) || /[A-Z]/.test(s) || s.includes('xn--') ? domainToASCII(s) : s;
  if (!ascii) throw invalid('domain', input, 'not a valid internationalised domain name');
  if (ascii.length > 253) throw invalid('domain', input, 'longer than 253 characters');
  for (const label of ascii.split('.')) {
    if (!LABEL.test(label))
      throw invalid(
        'domain',
        input,
        `label "${label}" must be 1–63 of a-z 0-9 - _ and not start or end with "-"`,
      );
  }
  if (parseAddr(ascii) || /^[0-9.]+$/.test(ascii)) throw invalid('domain', input, 'this is an IP address');
  return ascii;
}

export interface DomainInfo {
  domain: string;
  /** The registrable domain (eTLD+1) per the Public Suffix List, private section included. */
  registrable: string | null;
  publicSuffix: string | null;
  /** The registrable domain sits under a PSL private-section suffix (x.blogspot.com, y.github.io). */
  isPrivateSuffix: boolean;
  isIp: boolean;
}

/** Public Suffix List facts about a domain (canonicalised first) or an IP address. */
export function domainInfo(domain: string): DomainInfo {
  const addr = parseAddr(domain);
  if (addr) {
    const v =
      addr.kind() === 'ipv6' ? (addr as { toRFC5952String(): string }).toRFC5952String() : addr.toString();
    return { domain: v, registrable: null, publicSuffix: null, isPrivateSuffix: false, isIp: true };
  }
  const d = canonicalDomain(domain);
  const r = parseDomain(d, { allowPrivateDomains: true });
  return {
    domain: d,
    registrable: r.domain ?? null,
    publicSuffix: r.publicSuffix ?? null,
    isPrivateSuffix: r.isPrivate === true,
    isIp: false,
  };
}
