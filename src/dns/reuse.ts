/**
 * Answer reuse: the encoded reply to a query, kept so that a byte-identical query (all but its ID)
 * from a client with the same consent gets the same bytes again without running the chain.
 *
 * Why: with the chain in the loop a cache hit cost ~17 µs of CPU (dns-packet decode + encode ~4 µs,
 * handler objects, TTL ageing copies); a plain Node UDP echo costs ~6 µs per query on the same
 * machine. Reusing the bytes brings a repeat query close to that floor (figures: docs/dns-resolver.md).
 *
 * The reply to a query is a function of: the query bytes after the ID (name with its case, type,
 * class, RD/CD, EDNS size, DO, options), the transport (truncation), the client's consent (known
 * subscriber, the measures that apply, walled garden), the policy index and consent snapshot in force,
 * and — for upstream data — the age of the cached answer in whole seconds (TTLs are aged by seconds).
 * So an entry is keyed by the first three, stamped with the policy and consent objects it was built
 * under (a swap makes every entry stale), and valid until the cache's second of age changes. Replies
 * shaped by something else are never kept: a "continue anyway" grant (per client and name), drop
 * (no reply), SERVFAIL (upstream trouble is not cached either).
 *
 * On reuse the metrics and the report's activity counts are taken as the chain would have taken
 * them; a warning reply is re-checked against the client's "continue anyway" grants.
 */

import { BoundedMap } from '../util/bounded-map.js';
import { type DnsHit, rcodeName } from './answers.js';
import type { DnsReply, DnsRequest } from './chain.js';
import type { ClientConsent, ConsentSnapshot } from './consent.js';
import type { DnsMetrics } from './metrics.js';
import type { PolicyIndex } from './policy-index.js';

interface Entry {
  bytes: Buffer;
  policy: PolicyIndex;
  consent: ConsentSnapshot;
  validUntil: number;
  action: DnsReply['action'];
  rcode: string;
  hit?: DnsHit;
  /** The canonical query name (for the "continue anyway" re-check of warnings). */
  qname: string;
  cached: boolean;
}

/** A query with no reusable answer: what the chain and `remember` need (see `AnswerReuse.reply`). */
export interface ReuseMiss {
  key: string;
  /** The client's consent under `snapshot`: the chain uses it, so the entry is keyed on what shaped it. */
  consent: ClientConsent;
  policy: PolicyIndex;
  snapshot: ConsentSnapshot;
}

export interface ReuseDeps {
  policy(): PolicyIndex;
  consent(): ConsentSnapshot;
  metrics: DnsMetrics;
  /** The answer cache's clock (ms): validity windows are on it. */
  clock(): number;
  activity?: { count(measure: string, category: string): void };
  isBypassed?: (clientAddress: string, qname: string) => boolean;
}

/** Policy answers do not age; they are rebuilt at least this often anyway (bounded staleness). */
const POLICY_REPLY_MS = 10_000;

function consentClass(c: ClientConsent): string {
  return `${c.known ? 1 : 0}${c['warn-malicious-site'] ? 1 : 0}${c['block-c2'] ? 1 : 0}${c.walledGarden ? 1 : 0}`;
}

export class AnswerReuse {
  private readonly map: BoundedMap<string, Entry>;

  constructor(
    private readonly deps: ReuseDeps,
    maxEntries: number,
  ) {
    this.map = new BoundedMap(maxEntries);
  }

  get size(): number {
    return this.map.size;
  }

  private key(raw: Buffer, transport: 'udp' | 'tcp', consent: ClientConsent): string {
    return `${transport === 'udp' ? 'u' : 't'}${consentClass(consent)}${raw.toString('latin1', 2)}`;
  }

  /**
   * The reply to `raw` if an identical query was answered under the same policy and consent. Else, when
   * the answer could be kept, a miss: the key, the client's consent and what is in force now, for the
   * chain (it uses that consent) and for `remember`; undefined when reuse is off or the packet is not a query.
   */
  reply(
    raw: Buffer,
    transport: 'udp' | 'tcp',
    address: string,
    port: number,
  ): Buffer | ReuseMiss | undefined {
    if (this.map.max <= 0 || raw.length < 12 || raw[2] & 0x80) return undefined;
    const policy = this.deps.policy();
    const snapshot = this.deps.consent();
    const consent = snapshot.forClient(address, port);
    const key = this.key(raw, transport, consent);
    const e = this.map.get(key);
    if (!e) return { key, consent, policy, snapshot };
    if (e.policy !== policy || e.consent !== snapshot || this.deps.clock() >= e.validUntil) {
      this.map.delete(key);
      return { key, consent, policy, snapshot };
    }
    if (e.hit?.action === 'warn' && this.deps.isBypassed?.(address, e.qname))
      return { key, consent, policy, snapshot };
    const out = Buffer.allocUnsafe(e.bytes.length);
    e.bytes.copy(out);
    out[0] = raw[0];
    out[1] = raw[1];
    const m = this.deps.metrics;
    if (e.cached) m.cacheHits.inc();
    m.countQuery(e.action, e.rcode, transport);
    if (e.hit) this.deps.activity?.count(e.hit.measure, e.hit.category);
    return out;
  }

  /**
   * Keeps the reply the chain produced for `req` (encoded as `bytes`) when it can be reused; `miss` is
   * what `reply` gave before the chain ran (a swap while it ran leaves the entry stale at once).
   */
  remember(miss: ReuseMiss, req: DnsRequest, reply: DnsReply, bytes: Buffer): void {
    if (!reply.packet || req.consent !== miss.consent || req.bypassed) return;
    if (reply.action === 'servfail' || reply.action === 'drop') return;
    const now = this.deps.clock();
    let validUntil: number;
    if (reply.action === 'resolve') {
      // only upstream data the cache holds (its ageing window); uncacheable answers are not reused
      if (req.validUntil === undefined) return;
      validUntil = req.validUntil;
    } else {
      validUntil = Math.min(req.validUntil ?? Infinity, now + POLICY_REPLY_MS);
    }
    if (validUntil <= now) return;
    this.map.set(miss.key, {
      bytes,
      policy: miss.policy,
      consent: miss.snapshot,
      validUntil,
      action: reply.action,
      rcode: rcodeName(((reply.packet as { flags?: number }).flags ?? 0) & 0xf),
      hit: reply.hit,
      qname: req.qname,
      cached: req.cached === true,
    });
  }

  clear(): void {
    this.map.clear();
  }
}
