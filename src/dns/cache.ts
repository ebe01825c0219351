/**
 * Answer cache: upstream answers by (name, type, class, DO bit), kept for their TTL (the smallest in
 * the answer and authority sections; negative answers for the SOA's minimum, RFC 2308), capped by
 * `cache_max_ttl`, bounded to `cache_size` entries (the least recently used half is forgotten first: util/bounded-map).
 *
 * The cache holds the upstream answer BEFORE policy: consent differs per client, so the response
 * policy (CNAME targets, answer addresses) runs on every hit.
 */
import type { Answer, Packet } from 'dns-packet';
import { BoundedMap } from '../util/bounded-map.js';

interface Entry {
  packet: Packet;
  expires: number;
  stored: number;
}

export class AnswerCache {
  private readonly map: BoundedMap<string, Entry>;

  constructor(
    maxEntries: number,
    private readonly maxTtl: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.map = new BoundedMap(maxEntries);
  }

  get size(): number {
    return this.map.size;
  }

  static key(name: string, type: string, klass: string, dnssecOk: boolean): string {
    return `${name}|${type}|${klass}|${dnssecOk ? 1 : 0}`;
  }

  /** A copy of the cached answer with TTLs reduced by the time it has been cached, or undefined. */
  get(key: string): Packet | undefined {
    return this.lookup(key)?.packet;
  }

  /**
   * Like `get`, plus until when (on this cache's clock) the same copy would be returned: the TTLs are
   * aged in whole seconds, so the copy stays exact until the next second of age or the entry's expiry.
   */
  lookup(key: string): { packet: Packet; validUntil: number } | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    const t = this.now();
    if (t >= e.expires) {
      this.map.delete(key);
      return undefined;
    }
    const age = Math.floor((t - e.stored) / 1000);
    const aged = (rs: Answer[] | undefined) =>
      (rs ?? []).map((r) =>
        'ttl' in r && typeof r.ttl === 'number' ? { ...r, ttl: Math.max(0, r.ttl - age) } : r,
      );
    return {
      packet: { ...e.packet, answers: aged(e.packet.answers), authorities: aged(e.packet.authorities) },
      validUntil: Math.min(e.expires, e.stored + (age + 1) * 1000),
    };
  }

  /**
   * Stores an upstream answer if it is cacheable (NOERROR or NXDOMAIN, not truncated); returns until
   * when the answer as given stays exact (its first second), or undefined when it was not stored.
   */
  set(key: string, packet: Packet): number | undefined {
    if (this.map.max <= 0) return undefined;
    const ttl = cacheTtl(packet);
    if (ttl === undefined || ttl <= 0) return undefined;
    const t = this.now();
    const additionals = (packet.additionals ?? []).filter((a) => a.type !== 'OPT');
    this.map.set(key, {
      packet: { ...packet, additionals },
      stored: t,
      expires: t + Math.min(ttl, this.maxTtl) * 1000,
    });
    return Math.min(t + 1000, t + Math.min(ttl, this.maxTtl) * 1000);
  }

  /** This cache's clock (milliseconds, monotonic). */
  clock(): number {
    return this.now();
  }

  clear(): void {
    this.map.clear();
  }
}

/** Seconds an answer may be cached, or undefined when it must not be. */
export function cacheTtl(packet: Packet): number | undefined {
  const flags = (packet as { flags?: number }).flags ?? 0;
  const rcode = flags & 0xf;
  if (flags & (1 << 9)) return undefined; // truncated
  if (rcode !== 0 && rcode !== 3) return undefined; // SERVFAIL, REFUSED, …: not cached
  const answers = (packet.answers ?? []).filter((a) => a.type !== 'OPT');
  if (rcode === 0 && answers.length > 0) {
    let min = Infinity;
    for (const a of answers)
      if (typeof (a as { ttl?: number }).ttl === 'number') min = Math.min(min, (a as { ttl: number }).ttl);
    return Number.isFinite(min) ? min : undefined;
  }
  // Negative answer (NXDOMAIN or NODATA): the SOA's TTL bounded by its MINIMUM (RFC 2308 §5).
  const soa = (packet.authorities ?? []).find((a) => a.type === 'SOA') as
    | { ttl?: number; data?: { minimum?: number } }
    | undefined;
  if (!soa) return undefined;
  return Math.min(soa.ttl ?? 0, soa.data?.minimum ?? 0);
}
