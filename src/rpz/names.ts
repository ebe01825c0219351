import ipaddr from 'ipaddr.js';
import type { PolicyEntry } from '../policy/index.js';

/** The zone name as used everywhere inside src/rpz: lower case, no trailing dot. */
export function zoneOrigin(zone: string): string {
  return zone.trim().toLowerCase().replace(/\.+$/, '');
}

// A-labels only (the policy canonicalises names to lower-case A-labels); `_` occurs in real listings.
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Owner names (relative to the zone origin) an entry produces: `evil.example` for a host listing,
 * plus `*.evil.example` when it covers subdomains; `32.1.2.0.192.rpz-ip` for an address trigger.
 * Returns [] for a name that cannot be written as a DNS owner (too long, bad label) — the caller
 * counts those as skipped rather than writing a zone a resolver would reject.
 */
export function entryOwners(e: PolicyEntry, origin: string): string[] {
  if (e.trigger === 'ip') {
    const o = rpzIpOwner(e.name);
    return o ? [o] : [];
  }
  const name = e.name;
  if (!name || name.startsWith('*')) return [];
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return [];
  // Wire length: each label + its length byte, the origin's labels, the root; `*.` adds 2.
  const wire = name.length + 1 + origin.length + 1 + 1 + (e.wildcard ? 2 : 0);
  if (wire > 255) return [];
  return e.wildcard ? [name, `*.${name}`] : [name];
}

/**
 * rpz-ip owner of a CIDR (draft-vixie-dnsop-dns-rpz §4.2): prefix length, then the network address
 * reversed — IPv4 octets, or IPv6 16-bit groups in hex with the longest run of zero groups written
 * `zz` (the `::` of RFC 5952). Host bits are cleared: BIND refuses triggers with host bits set.
 */
export function rpzIpOwner(cidr: string): string | null {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let len: number;
  try {
    [addr, len] = ipaddr.parseCIDR(cidr);
  } catch {
    return null;
  }
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    if (len < 96) return null;
    addr = (addr as ipaddr.IPv6).toIPv4Address();
    len -= 96;
  }
  if (addr.kind() === 'ipv4') {
    const net = ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${len}`);
    return `${len}.${[...net.octets].reverse().join('.')}.rpz-ip`;
  }
  const net = ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${len}`);
  const groups = net.parts.map((p) => p.toString(16));
  // Longest run (≥ 2) of zero groups, the first on a tie — the same group RFC 5952 writes as `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const parts = best >= 0 ? [...groups.slice(0, best), 'zz', ...groups.slice(best + bestLen)] : groups;
  return `${len}.${parts.reverse().join('.')}.rpz-ip`;
}
