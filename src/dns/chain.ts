/**
 * The resolver's handler chain (CoreDNS style). THE ORDER IS DECLARED HERE, in `CHAIN`, and nowhere else.
 *
 * Contract of a handler: `(req, next) => Promise<DnsReply>`.
 * - A handler either answers (returns a DnsReply without calling `next`) or delegates (`await next(req)`)
 *   and may then inspect or replace the reply on its way back.
 * - `req` arrives parsed and validated (one question, opcode QUERY, EDNS version 0 — the server answers
 *   FORMERR / NOTIMP / BADVERS itself before the chain). Handlers may annotate `req` (consent,
 *   passthru, cached) for the handlers after them; they never mutate `req.query`.
 * - A reply with `packet: null` means "send nothing" (action drop).
 * - Handlers never throw for DNS-level failures: they answer SERVFAIL (with an EDE) instead. An
 *   exception escaping the chain is a bug; the server answers SERVFAIL and counts it.
 * - Nothing in the chain logs client addresses or query names (metrics only).
 *
 * Order:
 *   1. metrics         — counts every reply by action and rcode (outermost: sees the final reply)
 *   2. consent         — client address (+port, for CGNAT blocks) → subscriber → measures that apply
 *   3. walledGarden    — a subscriber in the walled garden: every name but the exempt ones → warning address
 *   4. qnamePolicy     — the query name: exact listing or a parent's wildcard listing → policy answer
 *   5. responsePolicy  — on the way back: CNAME targets and answer addresses (rpz-ip) → policy answer
 *   6. cache           — upstream answers (pre-policy, so 5 runs on hits too) within their TTL
 *   7. forward         — the upstreams, with failover and TCP retry; SERVFAIL + EDE when all fail
 *
 * Before the chain, the server asks the answer-reuse layer (reuse.ts) for the bytes of an identical
 * earlier query; handlers that make a reply depend on more than the query, the client's consent and
 * the policy in force must say so on `req` (`validUntil` for aged upstream data, `bypassed`).
 */
import type { Answer, Packet } from 'dns-packet';
import ipaddr from 'ipaddr.js';
import type { PolicyAction } from '../policy/index.js';
import {
  type ClientEdns,
  type DnsHit,
  EDE_NO_REACHABLE_AUTHORITY,
  errorResponse,
  optRecord,
  type PolicyAnswerConfig,
  policyResponse,
  RCODE,
  rcodeName,
  responseFlags,
} from './answers.js';
import { AnswerCache } from './cache.js';
import type { ClientConsent, ConsentSnapshot } from './consent.js';
import type { Forwarder } from './forward.js';
import type { DnsMetrics } from './metrics.js';
import type { PolicyHit, PolicyIndex } from './policy-index.js';

export interface DnsRequest {
  query: Packet;
  /** Canonical query name: lower case, no trailing dot. */
  qname: string;
  qtype: string;
  qclass: string;
  edns: ClientEdns;
  transport: 'udp' | 'tcp';
  client: { address: string; port: number };
  /** The question section as the client sent it (forwarded as is), when the server could cut it out. */
  questionWire?: Buffer;
  /** Set by `consent`, unless the server already took it (same snapshot) for answer reuse. */
  consent?: ClientConsent;
  /** Set by `qnamePolicy` when a passthru listing matched: no policy for this query at all. */
  passthru?: boolean;
  /** Set by `cache` when the reply came from the cache. */
  cached?: boolean;
  /** Set by `cache`: until when (cache clock, ms) the upstream answer in the reply stays exact. */
  validUntil?: number;
  /** Set by `enforce` when a "continue anyway" grant of this client lifted a warning. */
  bypassed?: boolean;
}

export interface DnsReply {
  /** null: send nothing (drop). */
  packet: Packet | null;
  /** The policy action taken, or 'resolve' (no policy), 'servfail' (upstreams failed). */
  action: PolicyAction | 'resolve' | 'servfail';
  /** The listing enforced, when a policy action was taken. */
  hit?: DnsHit;
}

export type Next = (req: DnsRequest) => Promise<DnsReply>;
export type Handler = (req: DnsRequest, next: Next) => Promise<DnsReply>;

/** What the handlers share: the current policy and consent (swapped atomically), cache, upstreams. */
export interface ChainDeps {
  policy(): PolicyIndex;
  consent(): ConsentSnapshot;
  cache: AnswerCache;
  forwarder: Forwarder;
  metrics: DnsMetrics;
  answers: PolicyAnswerConfig;
  /** Counts enforced answers for the monthly report (flushed to the store in batches). */
  activity?: { count(measure: string, category: string): void };
  /** Names walled-garden clients still resolve (removal help, updates): the name or a parent is in it. */
  walledGardenExempt?: ReadonlySet<string>;
  /** True for a few minutes after this client chose "continue anyway" on the warning page for the name. */
  isBypassed?: (clientAddress: string, qname: string) => boolean;
}

/** Applies a hit: the configured action if the client's consent covers the hit's measure. */
function enforce(req: DnsRequest, hit: PolicyHit, deps: ChainDeps): DnsReply | undefined {
  const consent = req.consent;
  if (!consent?.[hit.measure]) return undefined;
  if (hit.action === 'warn' && deps.isBypassed?.(req.client.address, req.qname)) {
    req.bypassed = true;
    return undefined;
  }
  switch (hit.action) {
    case 'passthru':
      return undefined;
    case 'drop':
      return { packet: null, action: 'drop', hit };
    default:
      return {
        packet: policyResponse(
          req.query,
          req.qname,
          req.qtype,
          hit,
          hit.action,
          req.edns,
          consent.known,
          deps.answers,
        ),
        action: hit.action,
        hit,
      };
  }
}

const metrics =
  (deps: ChainDeps): Handler =>
  async (req, next) => {
    const reply = await next(req);
    const rcode = reply.packet ? ((reply.packet as { flags?: number }).flags ?? 0) & 0xf : -1;
    deps.metrics.countQuery(reply.action, reply.packet ? rcodeName(rcode) : 'none', req.transport);
    if (reply.hit) deps.activity?.count(reply.hit.measure, reply.hit.category);
    return reply;
  };

const consent =
  (deps: ChainDeps): Handler =>
  (req, next) => {
    req.consent ??= deps.consent().forClient(req.client.address, req.client.port);
    return next(req);
  };

/** True when `qname` or one of its parents is in `names`. */
function underAny(qname: string, names: ReadonlySet<string>): boolean {
  for (let n = qname; ; ) {
    if (names.has(n)) return true;
    const dot = n.indexOf('.');
    if (dot < 0) return false;
    n = n.slice(dot + 1);
  }
}

const walledGarden =
  (deps: ChainDeps): Handler =>
  (req, next) => {
    if (!req.consent?.walledGarden || underAny(req.qname, deps.walledGardenExempt ?? new Set()))
      return next(req);
    const hit: DnsHit = {
      trigger: 'qname',
      name: req.qname,
      wildcard: false,
      measure: 'walled-garden',
      action: 'warn',
      category: 'walled-garden',
      indicatorId: 0,
    };
    const packet = policyResponse(req.query, req.qname, req.qtype, hit, 'warn', req.edns, true, deps.answers);
    return Promise.resolve({ packet, action: 'warn', hit });
  };

const qnamePolicy =
  (deps: ChainDeps): Handler =>
  (req, next) => {
    const hit = deps.policy().matchName(req.qname);
    if (hit) {
      if (hit.action === 'passthru' && req.consent?.[hit.measure]) req.passthru = true;
      const reply = enforce(req, hit, deps);
      if (reply) return Promise.resolve(reply);
    }
    return next(req);
  };

/**
 * Address text (as dns-packet decodes A/AAAA) to bytes. IPv4 is split by hand: ipaddr.parse's
 * general parser cost ~1 µs per answer record on the hot path; IPv6 goes through ipaddr.
 */
function addressBytes(s: string): Uint8Array | undefined {
  if (!s.includes(':')) {
    const p = s.split('.');
    if (p.length !== 4) return undefined;
    const b = new Uint8Array(4);
    for (let i = 0; i < 4; i++) b[i] = Number(p[i]);
    return b;
  }
  try {
    return new Uint8Array(ipaddr.parse(s).toByteArray());
  } catch {
    return undefined;
  }
}

function canonical(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

const responsePolicy =
  (deps: ChainDeps): Handler =>
  async (req, next) => {
    const reply = await next(req);
    if (req.passthru || !reply.packet || !req.consent) return reply;
    if (!req.consent['warn-malicious-site'] && !req.consent['block-c2']) return reply;
    const policy = deps.policy();
    for (const a of reply.packet.answers ?? []) {
      let hit: PolicyHit | undefined;
      if (a.type === 'CNAME' || a.type === 'DNAME') hit = policy.matchName(canonical(String(a.data)));
      else if (a.type === 'A' || a.type === 'AAAA') {
        const bytes = addressBytes(String(a.data));
        hit = bytes ? policy.matchAddress(bytes) : undefined;
      }
      if (!hit) continue;
      const enforced = enforce(req, hit, deps);
      if (enforced) return enforced;
    }
    return reply;
  };

const cache =
  (deps: ChainDeps): Handler =>
  async (req, next) => {
    const cd = (((req.query as { flags?: number }).flags ?? 0) & (1 << 4)) !== 0;
    const key = AnswerCache.key(req.qname, req.qtype, req.qclass, req.edns.dnssecOk || cd);
    const hit = deps.cache.lookup(key);
    if (hit) {
      deps.metrics.cacheHits.inc();
      req.cached = true;
      req.validUntil = hit.validUntil;
      return { packet: hit.packet, action: 'resolve' };
    }
    deps.metrics.cacheMisses.inc();
    const reply = await next(req);
    if (reply.packet && reply.action === 'resolve') req.validUntil = deps.cache.set(key, reply.packet);
    return reply;
  };

const forward =
  (deps: ChainDeps): Handler =>
  async (req) => {
    const cd = (((req.query as { flags?: number }).flags ?? 0) & (1 << 4)) !== 0;
    try {
      const q = req.query.questions![0];
      const res = await deps.forwarder.resolve(
        { name: q.name, type: q.type, class: q.class, wire: req.questionWire },
        req.edns.dnssecOk,
        cd,
      );
      return { packet: res, action: 'resolve' };
    } catch (err) {
      return {
        packet: errorResponse(req.query, RCODE.SERVFAIL, req.edns, {
          code: EDE_NO_REACHABLE_AUTHORITY,
          text: `yojin: no upstream resolver answered (${(err as Error).message})`,
        }),
        action: 'servfail',
      };
    }
  };

/** THE order of the chain (see the contract above). */
export const CHAIN: Array<(deps: ChainDeps) => Handler> = [
  metrics,
  consent,
  walledGarden,
  qnamePolicy,
  responsePolicy,
  cache,
  forward,
];

/** Composes the chain into one function. */
export function buildChain(deps: ChainDeps, factories = CHAIN): Next {
  // Each handler's `next` is built once, not per query (a closure per handler per query was GC work).
  let next: Next = () => Promise.reject(new Error('the last handler of the chain called next()'));
  for (const h of factories.map((f) => f(deps)).reverse()) {
    const after = next;
    next = (req) => h(req, after);
  }
  return next;
}

/**
 * Turns an upstream (or cached) answer into the reply to this client: its id, its RD bit, our OPT
 * record (only if the client sent one). Policy replies are built complete and pass through unchanged.
 */
export function finalise(req: DnsRequest, reply: DnsReply): Packet | null {
  const p = reply.packet;
  if (!p) return null;
  if (reply.action !== 'resolve' && reply.action !== 'servfail') return p;
  const upstreamFlags = (p as { flags?: number }).flags ?? 0;
  // Keep AD and the upstream rcode; drop AA (we are not authoritative) and TC (we re-check size).
  const keep = upstreamFlags & ((1 << 5) | 0xf);
  const additionals = (p.additionals ?? []).filter((a) => a.type !== 'OPT') as Answer[];
  if (req.edns.present) {
    const upstreamOpt = (p.additionals ?? []).find((a) => a.type === 'OPT') as
      | { options?: { code: number; data?: Buffer }[] }
      | undefined;
    const edeFromUs =
      reply.action === 'servfail' ? (upstreamOpt?.options ?? []).filter((o) => o.code === 15 && o.data) : [];
    additionals.push(optRecord(req.edns, edeFromUs as { code: number; data: Buffer }[]));
  }
  return {
    id: req.query.id,
    type: 'response',
    flags: responseFlags(req.query, keep & 0xf, keep & (1 << 5)),
    questions: req.query.questions,
    answers: p.answers ?? [],
    authorities: p.authorities ?? [],
    additionals,
  } as Packet;
}
