/**
 * The compact in-memory policy index the resolver consults on every query.
 *
 * Why hand-rolled: a Map<string, PolicyEntry> of 1M names costs ~250 bytes/entry in V8 (string,
 * Map slot, entry object). Here qname listings live in flat typed arrays — the names packed into one
 * Buffer, an open-addressing hash table of Int32 slots, and per-entry id/flags/category arrays — for
 * ~45 bytes/entry at 1M (measured by `npm run bench -- dns`). Lookups hash the query name and each
 * parent suffix (exact listing, then `wildcard` listings of parents), no allocation on a miss.
 *
 * Deltas: an index is immutable. `withChanges()` returns a new index sharing the packed base and
 * carrying a small overlay (added entries in a Map, removed indicator ids in a Set); the resolver
 * swaps its reference atomically, so a query sees either the old or the new index, never a mix.
 * When the overlay grows past a fraction of the base it is folded into a new packed base.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import ipaddr from 'ipaddr.js';
import type { PolicyAction, PolicyDelta, PolicyEntry, PolicyMeasure } from '../policy/index.js';
import { v4Key, v6Key } from './prefix-keys.js';

const ACTIONS: PolicyAction[] = ['warn', 'nxdomain', 'nodata', 'passthru', 'drop'];
const MEASURES: PolicyMeasure[] = ['warn-malicious-site', 'block-c2'];

/** RPZ precedence when several listings hit one name (as the RPZ export writes it): drop > nxdomain > nodata > warn > passthru. */
const PRECEDENCE: Record<PolicyAction, number> = { drop: 4, nxdomain: 3, nodata: 2, warn: 1, passthru: 0 };

function strongest(entries: PolicyEntry[]): PolicyEntry | undefined {
  let best: PolicyEntry | undefined;
  for (const e of entries) if (!best || PRECEDENCE[e.action] > PRECEDENCE[best.action]) best = e;
  return best;
}

/** What a lookup returns: the listing that matched. */
export interface PolicyHit {
  trigger: 'qname' | 'ip';
  /** The listed name or CIDR (for a wildcard hit, the listed parent). */
  name: string;
  wildcard: boolean;
  measure: PolicyMeasure;
  action: PolicyAction;
  category: string;
  indicatorId: number;
}

function fnv1a(s: string, from: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Entries packed per step of an incremental build: the event loop gets a turn between steps. */
const PACK_STEP = 20_000;

interface Packed {
  /** Names listed more than once (e.g. host-only warn and domain-wide C&C): every entry, resolved per lookup. */
  conflicts: Map<string, PolicyEntry[]>;
  size: number;
  bytes: Buffer;
  offsets: Uint32Array;
  ids: Float64Array;
  flags: Uint8Array;
  cats: Uint16Array;
  table: Int32Array;
}

/** Packed, immutable hash table of qname listings. */
class PackedNames {
  readonly size: number;
  readonly conflicts: Map<string, PolicyEntry[]>;
  private readonly bytes: Buffer;
  private readonly offsets: Uint32Array;
  private readonly ids: Float64Array;
  private readonly flags: Uint8Array; // bit0 wildcard, bits1-3 action, bit4 measure
  private readonly cats: Uint16Array;
  private readonly table: Int32Array; // entry index + 1; 0 = empty
  private readonly mask: number;

  private constructor(
    p: Packed,
    private readonly categories: CategoryTable,
  ) {
    this.size = p.size;
    this.conflicts = p.conflicts;
    this.bytes = p.bytes;
    this.offsets = p.offsets;
    this.ids = p.ids;
    this.flags = p.flags;
    this.cats = p.cats;
    this.table = p.table;
    this.mask = p.table.length - 1;
  }

  /**
   * Packs `entries` (at most `count` qname entries), yielding every PACK_STEP entries so a caller
   * can hand the event loop a turn (a 1M-entry build takes seconds; queries must not wait for it).
   */
  static *pack(
    entries: Iterable<PolicyEntry>,
    count: number,
    categories: CategoryTable,
  ): Generator<void, PackedNames> {
    const cap = Math.max(8, 1 << Math.ceil(Math.log2(Math.max(1, count) * 2)));
    const table = new Int32Array(cap);
    const mask = cap - 1;
    const offsets = new Uint32Array(count + 1);
    const ids = new Float64Array(count);
    const flags = new Uint8Array(count);
    const cats = new Uint16Array(count);
    // The names of kept entries, referenced (not copied) from the input while building, for the
    // duplicate check; dropped once the packed buffer is written.
    const names: string[] = [];
    const conflicts = new Map<string, PolicyEntry[]>();
    let n = 0;
    let byteLen = 0;
    let seen = 0;
    for (const e of entries) {
      if (++seen % PACK_STEP === 0) yield;
      if (e.trigger !== 'qname' || !e.name) continue;
      let slot = fnv1a(e.name, 0) & mask;
      let dup = -1;
      while (table[slot] !== 0) {
        const idx = table[slot] - 1;
        if (names[idx] === e.name) {
          dup = idx;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (dup >= 0) {
        // A second listing of the same name: the slot's wildcard bit widens so parent lookups find it,
        // and every listing of the name is kept aside so a lookup applies RPZ precedence (see resolve).
        const first: PolicyEntry = {
          trigger: 'qname',
          name: e.name,
          wildcard: (flags[dup] & 1) === 1,
          action: ACTIONS[(flags[dup] >> 1) & 7],
          measure: MEASURES[(flags[dup] >> 4) & 1],
          category: categories.name(cats[dup]),
          indicatorId: ids[dup],
        };
        const list = conflicts.get(e.name) ?? [first];
        list.push(e);
        conflicts.set(e.name, list);
        if (e.wildcard) flags[dup] |= 1;
        continue;
      }
      if (n >= count) break;
      table[slot] = n + 1;
      offsets[n] = byteLen;
      names.push(e.name);
      byteLen += e.name.length;
      ids[n] = e.indicatorId;
      flags[n] = (e.wildcard ? 1 : 0) | (ACTIONS.indexOf(e.action) << 1) | (MEASURES.indexOf(e.measure) << 4);
      cats[n] = categories.code(e.category);
      n++;
    }
    offsets[n] = byteLen;
    const bytes = Buffer.allocUnsafe(byteLen);
    let at = 0;
    for (let i = 0; i < names.length; i++) {
      if (i % PACK_STEP === 0) yield;
      at += bytes.write(names[i], at, 'latin1');
    }
    return new PackedNames(
      {
        conflicts,
        size: n,
        bytes,
        table,
        offsets: n === count ? offsets : offsets.slice(0, n + 1),
        ids: n === count ? ids : ids.slice(0, n),
        flags: n === count ? flags : flags.slice(0, n),
        cats: n === count ? cats : cats.slice(0, n),
      },
      categories,
    );
  }

  /** Index of the entry named exactly `name[from..]`, or -1. */
  find(name: string, from: number): number {
    const len = name.length - from;
    let slot = fnv1a(name, from) & this.mask;
    for (;;) {
      const v = this.table[slot];
      if (v === 0) return -1;
      const idx = v - 1;
      const start = this.offsets[idx];
      if (this.offsets[idx + 1] - start === len) {
        let i = 0;
        while (i < len && this.bytes[start + i] === name.charCodeAt(from + i)) i++;
        if (i === len) return idx;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  wildcardAt(idx: number): boolean {
    return (this.flags[idx] & 1) === 1;
  }
  idAt(idx: number): number {
    return this.ids[idx];
  }

  entryAt(idx: number): PolicyEntry {
    const f = this.flags[idx];
    return {
      trigger: 'qname',
      name: this.bytes.toString('latin1', this.offsets[idx], this.offsets[idx + 1]),
      wildcard: (f & 1) === 1,
      action: ACTIONS[(f >> 1) & 7],
      measure: MEASURES[(f >> 4) & 1],
      category: this.categories.name(this.cats[idx]),
      indicatorId: this.ids[idx],
    };
  }

  *entries(): Iterable<PolicyEntry> {
    for (let i = 0; i < this.size; i++) yield this.entryAt(i);
  }

  bytesUsed(): number {
    return (
      this.bytes.byteLength +
      this.offsets.byteLength +
      this.ids.byteLength +
      this.flags.byteLength +
      this.cats.byteLength +
      this.table.byteLength
    );
  }
}

class CategoryTable {
  private readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  code(name: string): number {
    let c = this.codes.get(name);
    if (c === undefined) {
      c = this.names.length;
      if (c > 0xffff) throw new Error('more than 65536 distinct categories');
      this.names.push(name);
      this.codes.set(name, c);
    }
    return c;
  }
  name(code: number): string {
    return this.names[code] ?? '';
  }
}

interface IpRule {
  entry: PolicyEntry;
  bits: number;
}

/** CIDR listings: one Map per prefix length, longest prefix first. C&C IP lists are small. */
class IpIndex {
  private readonly v4 = new Map<number, Map<number, PolicyEntry>>();
  private readonly v6 = new Map<number, Map<string, PolicyEntry>>();
  private v4Lens: number[] = [];
  private v6Lens: number[] = [];
  readonly size: number;

  constructor(entries: Iterable<PolicyEntry>) {
    let n = 0;
    for (const e of entries) {
      if (e.trigger !== 'ip') continue;
      let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
      try {
        parsed = ipaddr.parseCIDR(e.name);
      } catch {
        continue; // not a CIDR: nothing to match
      }
      const [addr, bits] = parsed;
      if (addr.kind() === 'ipv4') {
        const m = this.v4.get(bits) ?? new Map<number, PolicyEntry>();
        this.v4.set(bits, m);
        m.set(v4Key((addr as ipaddr.IPv4).toByteArray(), bits), e);
      } else {
        const m = this.v6.get(bits) ?? new Map<string, PolicyEntry>();
        this.v6.set(bits, m);
        m.set(v6Key((addr as ipaddr.IPv6).toByteArray(), bits), e);
      }
      n++;
    }
    this.v4Lens = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Lens = [...this.v6.keys()].sort((a, b) => b - a);
    this.size = n;
  }

  /** The most specific listing containing `bytes` (4 or 16 bytes of an address), or undefined. */
  match(bytes: Uint8Array, dropped: Set<number> | undefined): PolicyEntry | undefined {
    if (bytes.length === 4) {
      for (const len of this.v4Lens) {
        const e = this.v4.get(len)?.get(v4Key(bytes, len));
        if (e && !dropped?.has(e.indicatorId)) return e;
      }
    } else {
      for (const len of this.v6Lens) {
        const e = this.v6.get(len)?.get(v6Key(bytes, len));
        if (e && !dropped?.has(e.indicatorId)) return e;
      }
    }
    return undefined;
  }

  *entries(): Iterable<PolicyEntry> {
    for (const m of this.v4.values()) yield* m.values();
    for (const m of this.v6.values()) yield* m.values();
  }
}

export type { IpRule };

/** The resolver's view of the policy at one serial. Immutable; swap the reference to update. */
export class PolicyIndex {
  private constructor(
    readonly serial: number,
    private readonly base: PackedNames,
    private readonly ips: IpIndex,
    /** qname entries added since the base was packed (name → entry). */
    private readonly added: Map<string, PolicyEntry>,
    /** indicator ids whose base entries no longer apply. */
    private readonly dropped: Set<number>,
    private readonly categories: CategoryTable,
  ) {}

  static build(serial: number, entries: PolicyEntry[]): PolicyIndex {
    const steps = PolicyIndex.building(serial, entries);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** Like build, but hands the event loop a turn every few thousand entries (no query waits long). */
  static async buildAsync(serial: number, entries: Iterable<PolicyEntry>): Promise<PolicyIndex> {
    const steps = PolicyIndex.building(serial, entries);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await nextTurn();
    }
  }

  private static *building(serial: number, input: Iterable<PolicyEntry>): Generator<void, PolicyIndex> {
    const entries = Array.isArray(input) ? (input as PolicyEntry[]) : [...input];
    const cats = new CategoryTable();
    let q = 0;
    for (const e of entries) if (e.trigger === 'qname') q++;
    const base = yield* PackedNames.pack(entries, q, cats);
    return new PolicyIndex(serial, base, new IpIndex(entries), new Map(), new Set(), cats);
  }

  private cachedSize?: number;

  /** Number of listings (qname + ip); computed once per index (a scan of the base when ids were dropped). */
  get size(): number {
    if (this.cachedSize === undefined) {
      let n = this.base.size;
      if (this.dropped.size > 0)
        for (let i = 0; i < this.base.size; i++) if (this.dropped.has(this.base.idAt(i))) n--;
      this.cachedSize = n + this.added.size + this.ips.size;
    }
    return this.cachedSize;
  }

  /** Bytes held by the qname index (packed base + overlay estimate), for the per-entry figure. */
  qnameBytes(): number {
    return this.base.bytesUsed() + this.added.size * 200 + this.dropped.size * 40;
  }
  get qnameCount(): number {
    return this.base.size + this.added.size;
  }

  /**
   * Applies a delta (PolicyDelta contract: drop every entry of the listed indicator ids, then add).
   * Returns a new index; this one is unchanged.
   */
  withChanges(delta: PolicyDelta): PolicyIndex {
    const removedIds = new Set(delta.removed.map((e) => e.indicatorId));
    const added = new Map<string, PolicyEntry>();
    for (const [name, e] of this.added) if (!removedIds.has(e.indicatorId)) added.set(name, e);
    const dropped = new Set(this.dropped);
    for (const id of removedIds) dropped.add(id);
    for (const e of delta.added) if (e.trigger === 'qname') added.set(e.name, e);
    const ipEntries = [...this.ips.entries()].filter((e) => !removedIds.has(e.indicatorId));
    for (const e of delta.added) if (e.trigger === 'ip') ipEntries.push(e);
    const ips = new IpIndex(ipEntries);
    return new PolicyIndex(delta.serial, this.base, ips, added, dropped, this.categories);
  }

  /** True when the overlay has grown enough that lookups deserve a new packed base (see compact). */
  get wantsCompaction(): boolean {
    return this.added.size + this.dropped.size > Math.max(50_000, this.base.size / 4);
  }

  /** Rebuilds the packed base from the current view (incrementally: the event loop keeps turning). */
  compact(): Promise<PolicyIndex> {
    return PolicyIndex.buildAsync(this.serial, [...this.entries()]);
  }

  *entries(): Iterable<PolicyEntry> {
    for (let i = 0; i < this.base.size; i++) {
      const id = this.base.idAt(i);
      if (this.dropped.has(id)) continue;
      const e = this.base.entryAt(i);
      if (this.added.has(e.name)) continue;
      yield e;
    }
    yield* this.added.values();
    yield* this.ips.entries();
  }

  /**
   * The listing that covers `qname` (canonical: lower case, no trailing dot): an exact listing of the
   * name, else the nearest parent listed with `wildcard`.
   */
  matchName(qname: string): PolicyHit | undefined {
    let from = 0;
    let exact = true;
    for (;;) {
      const hit = this.lookupAt(qname, from, exact);
      if (hit) return hit;
      const dot = qname.indexOf('.', from);
      if (dot < 0) return undefined;
      from = dot + 1;
      exact = false;
    }
  }

  private lookupAt(qname: string, from: number, exact: boolean): PolicyHit | undefined {
    if (this.added.size > 0) {
      const e = this.added.get(from === 0 ? qname : qname.slice(from));
      if (e && (exact || e.wildcard)) return e;
    }
    const idx = this.base.find(qname, from);
    if (idx < 0) return undefined;
    if (!exact && !this.base.wildcardAt(idx)) return undefined;
    if (this.base.conflicts.size > 0) {
      const all = this.base.conflicts.get(from === 0 ? qname : qname.slice(from));
      if (all) return strongest(all.filter((x) => (exact || x.wildcard) && !this.dropped.has(x.indicatorId)));
    }
    if (this.dropped.size > 0 && this.dropped.has(this.base.idAt(idx))) return undefined;
    return this.base.entryAt(idx);
  }

  /** The listing that contains an answer address (4 or 16 bytes), if any. */
  matchAddress(bytes: Uint8Array): PolicyHit | undefined {
    return this.ips.match(bytes, undefined);
  }
}
