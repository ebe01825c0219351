import ipaddr from 'ipaddr.js';
import { invalid } from './invalid.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052): the last 32 bits are an IPv4 address. */
function nat64ToV4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = a.parts;
  if (p[0] !== 0x64 || p[1] !== 0xff9b || p[2] || p[3] || p[4] || p[5]) return null;
  return new ipaddr.IPv4([p[6] >> 8, p[6] & 255, p[7] >> 8, p[7] & 255]);
}

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or NAT64 IPv6 address stands for, else null. */
export function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (a.isIPv4MappedAddress()) return a.toIPv4Address();
  return nat64ToV4(a);
}

/** Strict dotted-quad: four decimal parts 0–255. Leading zeros are read as decimal, as feeds mean them. */
function parseV4Strict(s: string): ipaddr.IPv4 | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? new ipaddr.IPv4(octets) : null;
}

/** Parses an address: dotted quad or IPv6 (optionally in brackets). No zone ids. Null if neither. */
export function parseAddr(input: string): Addr | null {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const v4 = parseV4Strict(s);
  if (v4) return v4;
  if (s.includes(':') && !s.includes('%') && ipaddr.IPv6.isValid(s)) return ipaddr.IPv6.parse(s);
  return null;
}

function format(a: Addr): string {
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

/**
 * IPv4 as a dotted quad, IPv6 in RFC 5952 form. IPv4-mapped and NAT64 IPv6 addresses become the IPv4
 * address they carry, as Safe Browsing does for hosts, so one address has one spelling.
 */
export function canonicalIp(input: string): string {
  const a = parseAddr(input);
  if (!a) throw invalid('IP address', input, 'expected a dotted-quad IPv4 or an IPv6 address');
  if (a.kind() === 'ipv6') {
    const v4 = embeddedV4(a as ipaddr.IPv6);
    if (v4) return v4.toString();
  }
  return format(a);
}

/** Network address + prefix length with the host bits cleared: 192.0.2.7/24 → 192.0.2.0/24. */
export function canonicalCidr(input: string): string {
  const s = input.trim();
  const slash = s.lastIndexOf('/');
  const addrPart = slash < 0 ? s : s.slice(0, slash);
  const a = parseAddr(addrPart);
  if (!a) throw invalid('CIDR', input, 'the address part is not an IPv4 or IPv6 address');
  const max = a.kind() === 'ipv6' ? 128 : 32;
  let len = max;
  if (slash >= 0) {
    const lp = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lp) || Number(lp) > max)
      throw invalid('CIDR', input, `the prefix length must be 0–${max}`);
    len = Number(lp);
  }
  const bytes = a.toByteArray();
  for (let bit = len; bit < max; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return `${format(ipaddr.fromByteArray(bytes))}/${len}`;
}
