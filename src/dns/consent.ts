/**
 * Who gets the policy: client address → current assignment → subscriber → consent per measure.
 *
 * The resolver never queries the store per DNS query. It holds a snapshot of the current
 * assignments (prefix → subscriber, with CGNAT port blocks) and of the explicit consent choices,
 * loaded together with the policy. Loading it touches protected data (assignments, consents), so
 * each load is authorised through the measure gate once per measure and audited there — not per
 * query. Client addresses are looked up in memory and never logged.
 */
import ipaddr from 'ipaddr.js';
import type { AppContext } from '../app/index.js';
import type { PolicyMeasure } from '../policy/index.js';
import { v4Key, v6Key } from './prefix-keys.js';

export const ENFORCED_MEASURES: PolicyMeasure[] = ['warn-malicious-site', 'block-c2'];
/** The walled garden is a DNS policy for one subscriber alone, entered by a case (src/cases). */
export const WALLED_GARDEN = 'walled-garden';

/** The verdict for one client: is it a known subscriber, and does each measure apply to it? */
export interface ClientConsent {
  known: boolean;
  'warn-malicious-site': boolean;
  'block-c2': boolean;
  /** The subscriber is in an active walled garden (final escalation step of a case; src/cases). */
  walledGarden: boolean;
}

interface Holder {
  subscriber: string;
  /** CGNAT port block (inclusive lo, exclusive hi), when the prefix is shared. */
  ports?: [number, number];
}

export class ConsentSnapshot {
  private readonly v4 = new Map<number, Map<number, Holder[]>>();
  private readonly v6 = new Map<number, Map<string, Holder[]>>();
  private v4Lens: number[] = [];
  private v6Lens: number[] = [];
  /** Explicit choices: subscriber → measure → granted. */
  private readonly choices = new Map<string, Partial<Record<PolicyMeasure, boolean>>>();
  /** Subscribers in an active walled garden. */
  private readonly walled = new Set<string>();
  private readonly unknown: ClientConsent;
  private readonly defaults: Record<PolicyMeasure, boolean>;
  private readonly enabled: Record<PolicyMeasure, boolean>;
  assignments = 0;

  constructor(opts: {
    unknownClientConsent: boolean;
    defaults?: Partial<Record<PolicyMeasure, boolean>>;
    enabled?: Partial<Record<PolicyMeasure, boolean>>;
  }) {
    this.defaults = { 'warn-malicious-site': true, 'block-c2': true, ...opts.defaults };
    this.enabled = { 'warn-malicious-site': true, 'block-c2': true, ...opts.enabled };
    const u = opts.unknownClientConsent;
    this.unknown = {
      known: false,
      'warn-malicious-site': u && this.enabled['warn-malicious-site'],
      'block-c2': u && this.enabled['block-c2'],
      walledGarden: false,
    };
  }

  /** Everyone gets the policy (no store: `yojin dns` without subscribers, or before the first load). */
  static everyone(unknownClientConsent = true): ConsentSnapshot {
    return new ConsentSnapshot({ unknownClientConsent });
  }

  addAssignment(prefix: string, subscriber: string, ports?: [number, number]) {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      parsed = prefix.includes('/')
        ? ipaddr.parseCIDR(prefix)
        : [ipaddr.parse(prefix), prefix.includes(':') ? 128 : 32];
    } catch {
      return;
    }
    let [addr, bits] = parsed;
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      addr = (addr as ipaddr.IPv6).toIPv4Address();
      bits = Math.max(0, bits - 96);
    }
    const holder: Holder = ports ? { subscriber, ports } : { subscriber };
    if (addr.kind() === 'ipv4') {
      const m = this.v4.get(bits) ?? new Map<number, Holder[]>();
      this.v4.set(bits, m);
      const k = v4Key(addr.toByteArray(), bits);
      m.set(k, [...(m.get(k) ?? []), holder]);
      this.v4Lens = [...this.v4.keys()].sort((a, b) => b - a);
    } else {
      const m = this.v6.get(bits) ?? new Map<string, Holder[]>();
      this.v6.set(bits, m);
      const k = v6Key(addr.toByteArray(), bits);
      m.set(k, [...(m.get(k) ?? []), holder]);
      this.v6Lens = [...this.v6.keys()].sort((a, b) => b - a);
    }
    this.assignments++;
  }

  setChoice(subscriber: string, measure: PolicyMeasure, granted: boolean) {
    const c = this.choices.get(subscriber) ?? {};
    c[measure] = granted;
    this.choices.set(subscriber, c);
  }

  /** Puts a subscriber's lines in the walled garden (every name answered with the warning address). */
  addWalledGarden(subscriber: string) {
    this.walled.add(subscriber);
  }

  /** The subscriber holding `address` (and `port`, for shared CGNAT addresses) now, if known. */
  subscriberOf(address: string, port?: number): string | undefined {
    const bytes = dottedQuad(address) ?? addressBytes(address);
    if (!bytes) return undefined;
    const pick = (hs: Holder[] | undefined) => {
      if (!hs) return undefined;
      for (const h of hs) {
        if (!h.ports) return h.subscriber;
        if (port !== undefined && port >= h.ports[0] && port < h.ports[1]) return h.subscriber;
      }
      return undefined;
    };
    if (bytes.length === 4) {
      for (const len of this.v4Lens) {
        const s = pick(this.v4.get(len)?.get(v4Key(bytes, len)));
        if (s) return s;
      }
    } else {
      for (const len of this.v6Lens) {
        const s = pick(this.v6.get(len)?.get(v6Key(bytes, len)));
        if (s) return s;
      }
    }
    return undefined;
  }

  /** Which measures apply to the client at `address`/`port`. */
  forClient(address: string, port?: number): ClientConsent {
    if (this.assignments === 0) return this.unknown;
    const sub = this.subscriberOf(address, port);
    if (sub === undefined) return this.unknown;
    const c = this.choices.get(sub);
    return {
      known: true,
      walledGarden: this.walled.has(sub),
      'warn-malicious-site':
        this.enabled['warn-malicious-site'] &&
        (c?.['warn-malicious-site'] ?? this.defaults['warn-malicious-site']),
      'block-c2': this.enabled['block-c2'] && (c?.['block-c2'] ?? this.defaults['block-c2']),
    };
  }
}

/**
 * Dotted-quad text to bytes by hand: ipaddr.process cost ~1 µs per query on the resolver's hot path
 * (every query asks who the client is). Anything else (IPv6, mapped) goes through ipaddr.
 */
function dottedQuad(s: string): number[] | undefined {
  const out = [0, 0, 0, 0];
  let part = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return undefined;
      part++;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      out[part] = out[part] * 10 + (c - 48);
      if (out[part] > 255) return undefined;
      digits++;
    } else return undefined;
  }
  return part === 3 && digits > 0 ? out : undefined;
}

function addressBytes(s: string): number[] | undefined {
  try {
    return ipaddr.process(s).toByteArray(); // IPv4-mapped IPv6 → IPv4
  } catch {
    return undefined;
  }
}

/**
 * Loads the snapshot from the store: current assignments and explicit consents, after the gate has
 * authorised (and audited) the access for each enforced measure. A measure the gate refuses (e.g.
 * disabled) is simply not applied to anyone.
 */
export async function loadConsentSnapshot(ctx: AppContext, reason: string): Promise<ConsentSnapshot> {
  const enabled: Partial<Record<PolicyMeasure, boolean>> = {};
  const defaults: Partial<Record<PolicyMeasure, boolean>> = {};
  for (const m of ENFORCED_MEASURES) {
    const measure = ctx.measures.has(m) ? ctx.measures.get(m) : undefined;
    defaults[m] = measure ? measure.defaultConsent !== 'opt-in' : false;
    enabled[m] = await ctx.gate.permits({
      measure: m,
      data: ['assignment', 'subscriber-consent'],
      actor: 'dns',
      action: 'dns.consent-snapshot',
      details: { reason },
    });
  }
  const snap = new ConsentSnapshot({
    unknownClientConsent: ctx.config.dns.unknown_client_consent,
    defaults,
    enabled,
  });
  // Only when a case put someone in the walled garden is that measure's data read (and audited).
  const walled = ctx.measures.has(WALLED_GARDEN) && ctx.measures.get(WALLED_GARDEN).enabled;
  const active = walled
    ? (await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM walled_garden WHERE active'))
        .rows[0].n
    : 0;
  const walledOk =
    active > 0 &&
    (await ctx.gate.permits({
      measure: WALLED_GARDEN,
      data: ['assignment'],
      actor: 'dns',
      action: 'dns.walled-garden-snapshot',
      details: { reason, active },
    }));
  const walledRows = walledOk
    ? (
        await ctx.store.query<{ subscriber_id: string }>(
          'SELECT DISTINCT subscriber_id FROM walled_garden WHERE active',
        )
      ).rows
    : [];
  for (const r of walledRows) snap.addWalledGarden(r.subscriber_id);
  if (!enabled['warn-malicious-site'] && !enabled['block-c2'] && !walledOk) return snap;
  const now = ctx.clock.now().toISOString();
  const rows = await ctx.store.query<{
    subscriber_id: string;
    prefix: string;
    lo: number | null;
    hi: number | null;
  }>(
    `SELECT subscriber_id, prefix::text AS prefix, lower(port_range) AS lo, upper(port_range) AS hi
       FROM assignments WHERE during @> $1::timestamptz`,
    [now],
  );
  for (const r of rows.rows)
    snap.addAssignment(
      r.prefix,
      r.subscriber_id,
      r.lo === null || r.hi === null ? undefined : [Number(r.lo), Number(r.hi)],
    );
  const consents = await ctx.store.query<{ subscriber_id: string; measure: PolicyMeasure; granted: boolean }>(
    `SELECT subscriber_id, measure, granted FROM consents WHERE measure = ANY($1::text[])`,
    [ENFORCED_MEASURES],
  );
  for (const c of consents.rows) snap.setChoice(c.subscriber_id, c.measure, c.granted);
  return snap;
}
