import ipaddr from 'ipaddr.js';

/** A single address in canonical text form, or null if it is not one. IPv4-mapped IPv6 becomes IPv4. */
export function normalizeAddr(s: string): string | null {
  const t = s.trim();
  if (!ipaddr.isValid(t)) return null;
  const a = ipaddr.parse(t);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress())
    return (a as ipaddr.IPv6).toIPv4Address().toString();
  if (a.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(t)) return null;
  return a.toString();
}

/**
 * A prefix as PostgreSQL `cidr` accepts it: host bits cleared (cidr refuses them), a bare address
 * becoming /32 or /128. Returns null if it is not a prefix.
 */
export function normalizePrefix(s: string): string | null {
  const t = s.trim();
  if (!t.includes('/')) {
    const a = normalizeAddr(t);
    if (!a) return null;
    return `${a}/${a.includes(':') ? 128 : 32}`;
  }
  try {
    const [addr, len] = ipaddr.parseCIDR(t);
    const net =
      addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(t) : ipaddr.IPv6.networkAddressFromCIDR(t);
    void addr;
    return `${net.toString()}/${len}`;
  } catch {
    return null;
  }
}

/** Parses "lo-hi" (or a single port) into an inclusive port range, or null. */
export function parsePortRange(s: string): [number, number] | null {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(s);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > hi || hi > 65535) return null;
  return [lo, hi];
}
