/**
 * The synthetic ISP's address plan: pure functions of (subscriber index, day), so the generator, the
 * replay and the ground truth agree without keeping tables. Every address is a documentation or
 * reserved one (RFC 5737, RFC 3849, RFC 6598 for CGNAT inside, 127/8 for the replay clients).
 */

/** Subscribers on public IPv4 from 198.51.100.0/24; re-assigned daily by shifting through the pool. */
export const V4_POOL = 200;
/** CGNAT outside addresses 203.0.113.1–126 (203.0.113.128/25 is "DROP-listed" in the feeds). */
export const CGNAT_OUTSIDE = 126;
const PORT_BASE = 1024;
const PORT_SPAN = 65536 - PORT_BASE;

export interface Plan {
  subscribers: number;
  /** Subscribers 0..publicCount-1 get public addresses (half of them, at most V4_POOL); the rest sit behind CGNAT. */
  publicCount: number;
  /** CGNAT port-block size chosen so every CGNAT subscriber fits (16 ports at the smallest). */
  blockSize: number;
  /** How many CGNAT subscribers have an IPv4 port block; beyond it subscribers are IPv6-only. */
  cgnatCapacity: number;
}

export function makePlan(subscribers: number): Plan {
  const publicCount = Math.min(V4_POOL, Math.ceil(subscribers / 2));
  const cgnat = Math.max(0, subscribers - publicCount);
  const perAddr = Math.max(1, Math.ceil(cgnat / CGNAT_OUTSIDE));
  let blockSize = 2048;
  while (blockSize > 16 && Math.floor(PORT_SPAN / blockSize) < perAddr) blockSize /= 2;
  const blocks = Math.floor(PORT_SPAN / blockSize);
  return { subscribers, publicCount, blockSize, cgnatCapacity: blocks * CGNAT_OUTSIDE };
}

export const subscriberId = (i: number) => `S${String(i + 1).padStart(7, '0')}`;
export const subscriberEmail = (i: number) => `user${i + 1}@example.net`;

/** The address the demo's DNS queries come from for subscriber i (static, 127.10.0.0 onwards). */
export function loopbackOf(i: number): string {
  const a = 10 + (i >>> 16);
  return `127.${a}.${(i >>> 8) & 255}.${i & 255}`;
}

/** The /56 delegated to subscriber i (stable: delegated prefixes are long-lived). */
export function v6PrefixOf(i: number): string {
  return `2001:db8:${((i >>> 8) & 0xffff).toString(16)}:${(i & 255).toString(16)}00::/56`;
}

export interface V4Holding {
  kind: 'public' | 'cgnat';
  /** Framed-IP-Address from RADIUS (public, or the CGNAT inside address). */
  framed: string;
  /** The address seen on the Internet. */
  outside: string;
  ports?: [number, number];
}

/** Subscriber i's IPv4 on day d, or null when the CGNAT is full (IPv6-only subscriber). */
export function v4Of(plan: Plan, i: number, d: number): V4Holding | null {
  if (i < plan.publicCount) {
    const slot = (i + d * 37) % plan.publicCount; // a shift: a bijection on the pool, so no two share a day
    const a = `198.51.100.${slot + 1}`;
    return { kind: 'public', framed: a, outside: a };
  }
  const j = i - plan.publicCount;
  if (j >= plan.cgnatCapacity) return null;
  const inside = `100.${64 + (j >>> 16)}.${(j >>> 8) & 255}.${j & 255}`;
  const slot = (j + d * 7919) % plan.cgnatCapacity;
  const block = Math.floor(slot / CGNAT_OUTSIDE);
  const lo = PORT_BASE + block * plan.blockSize;
  return {
    kind: 'cgnat',
    framed: inside,
    outside: `203.0.113.${(slot % CGNAT_OUTSIDE) + 1}`,
    ports: [lo, lo + plan.blockSize - 1],
  };
}

export const dayStart = (start: string, d: number) =>
  new Date(Date.parse(`${start}T00:00:00Z`) + d * 86_400_000);
export const dayLabel = (d: number) => `day-${String(d).padStart(3, '0')}`;
