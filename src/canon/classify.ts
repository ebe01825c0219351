import { canonicalDomain } from './domain.js';
import { invalid } from './invalid.js';
import { canonicalCidr, canonicalIp, parseAddr } from './ip.js';
import { canonicalUrl } from './url.js';

export type IndicatorKind = 'url' | 'domain' | 'ip' | 'cidr';

/**
 * What a value is, in canonical form: "1.2.3.0/24" cidr, "2001:db8::1" ip, "example.com" domain,
 * anything with a scheme, a path or a query a URL. Throws CANON_INVALID when it is none of them.
 */
export function classify(input: string): { kind: IndicatorKind; value: string } {
  const s = input.trim();
  if (!s) throw invalid('indicator', input, 'empty');
  if (/^[0-9a-fA-F:.[\]]+\/\d{1,3}$/.test(s)) return { kind: 'cidr', value: canonicalCidr(s) };
  if (parseAddr(s)) return { kind: 'ip', value: canonicalIp(s) };
  if (!/[/?#:@%\s]/.test(s)) {
    try {
      return { kind: 'domain', value: canonicalDomain(s) };
    } catch {
      // not a clean domain: fall through and try it as a URL, e.g. "Exa mple.com" is not either
    }
  }
  if (/[/?#:]/.test(s)) return { kind: 'url', value: canonicalUrl(s) };
  throw invalid('indicator', input, 'not a URL, domain, IP address or CIDR');
}
