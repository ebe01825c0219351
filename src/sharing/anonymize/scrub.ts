import type { CryptoPAn } from './cryptopan.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// IPv6: at least two colons among hex groups; validated by the anonymiser before replacing.
const IPV6 = /\b(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}\b/g;

export interface ScrubOptions {
  /** Anonymise IPs prefix-preservingly; without it they become "[IP]". */
  cryptopan?: CryptoPAn;
  /** Regular expressions matching subscriber identifiers in this ISP's formats (e.g. RADIUS user names). */
  subscriberPatterns?: RegExp[];
}

/** Removes what could identify a person from free text: e-mail addresses, subscriber ids, IP addresses. */
export function scrubText(text: string, opts: ScrubOptions = {}): string {
  let out = text.replace(EMAIL, '[email]');
  for (const p of opts.subscriberPatterns ?? [])
    out = out.replace(new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`), '[subscriber]');
  const ip = (m: string) => {
    if (!opts.cryptopan) return '[IP]';
    try {
      return opts.cryptopan.anonymize(m);
    } catch {
      return m; // not an address after all (e.g. a time like 12:30:45)
    }
  };
  out = out.replace(IPV4, ip);
  out = out.replace(IPV6, (m) =>
    m.split(':').length >= 3 && /[0-9a-fA-F]/.test(m) && !/^\d+:\d+(:\d+)?$/.test(m) ? ip(m) : m,
  );
  return out;
}

/** Coarsens an RFC 3339 timestamp to the hour (or day), as STIX text. */
export function coarsenTimestamp(ts: string | Date, unit: 'hour' | 'day' = 'hour'): string {
  const d = new Date(ts);
  if (unit === 'day') d.setUTCHours(0, 0, 0, 0);
  else d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
}
