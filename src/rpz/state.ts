import type { PolicyDelta, PolicyEntry, PolicySnapshot } from '../policy/index.js';
import { ACTION_RANK } from './actions.js';
import { entryOwners } from './names.js';

/** One owner whose winning action changed between two serials; -1 = no records at that owner. */
export interface OwnerChange {
  owner: string;
  from: number;
  to: number;
}

/** The difference between two consecutive published serials (one IXFR step, RFC 1995). */
export interface ZoneDelta {
  from: number;
  to: number;
  changes: OwnerChange[];
}

/**
 * The zone the primary serves, kept current from the change log: owner → winning action rank, and the
 * journal of per-serial deltas IXFR is answered from. Updated incrementally (drop the touched
 * indicators' owners, add their current entries, per the src/policy delta contract), so a change
 * costs work proportional to the change, not to the zone.
 *
 * Owners with a single entry (nearly all) store one packed number `indicatorId * 8 + rank` instead of
 * a Map, which keeps 1M entries within a few hundred MB.
 */
export class ZoneState {
  serial = 0;
  private byOwner = new Map<string, number | Map<number, number>>();
  private ownersById = new Map<number, string[]>();
  private journal: ZoneDelta[] = [];
  private journalSize = 0;
  /** Entries the zone cannot express (bad names), for the logs/metrics. */
  skipped = 0;

  constructor(
    private readonly origin: string,
    private readonly maxJournal: number,
  ) {}

  get size(): number {
    return this.byOwner.size;
  }

  /** Replaces everything (start-up, or a delta the change log can no longer give). Clears the journal. */
  load(snap: PolicySnapshot): void {
    this.byOwner.clear();
    this.ownersById.clear();
    this.journal = [];
    this.journalSize = 0;
    this.skipped = 0;
    for (const e of snap.entries) this.addEntry(e);
    this.serial = snap.serial;
  }

  /** Applies a policy delta and records the owner-level difference in the journal. */
  apply(delta: PolicyDelta): ZoneDelta {
    const removedIds = new Set(delta.removed.map((e) => e.indicatorId));
    for (const e of delta.added) removedIds.add(e.indicatorId);
    const touched = new Map<string, number>(); // owner → rank before
    const note = (o: string) => {
      if (!touched.has(o)) touched.set(o, this.rankOf(o));
    };
    for (const id of removedIds) for (const o of this.ownersById.get(id) ?? []) note(o);
    for (const e of delta.added) for (const o of entryOwners(e, this.origin)) note(o);
    for (const id of removedIds) {
      for (const o of this.ownersById.get(id) ?? []) this.removeOwner(o, id);
      this.ownersById.delete(id);
    }
    for (const e of delta.added) this.addEntry(e);
    const changes: OwnerChange[] = [];
    for (const [owner, from] of touched) {
      const to = this.rankOf(owner);
      if (from !== to) changes.push({ owner, from, to });
    }
    const step: ZoneDelta = { from: this.serial, to: delta.serial, changes };
    this.serial = delta.serial;
    this.journal.push(step);
    this.journalSize += changes.length;
    while (this.journal.length > 0 && this.journalSize > this.maxJournal) {
      this.journalSize -= (this.journal.shift() as ZoneDelta).changes.length;
    }
    return step;
  }

  /** The steps from `serial` to the current serial; [] when current; null when the journal lacks it. */
  deltasSince(serial: number): ZoneDelta[] | null {
    if (serial === this.serial) return [];
    const i = this.journal.findIndex((d) => d.from === serial);
    return i < 0 ? null : this.journal.slice(i);
  }

  /** The winning action rank at an owner (relative name), or -1. */
  rankOf(owner: string): number {
    const v = this.byOwner.get(owner);
    if (v === undefined) return -1;
    if (typeof v === 'number') return v % 8;
    let best = -1;
    for (const r of v.values()) if (r > best) best = r;
    return best;
  }

  /** Every owner with its winning rank (iteration order = insertion order; AXFR needs no order). */
  *owners(): IterableIterator<[string, number]> {
    for (const o of this.byOwner.keys()) yield [o, this.rankOf(o)];
  }

  private addEntry(e: PolicyEntry): void {
    const owners = entryOwners(e, this.origin);
    if (owners.length === 0) {
      this.skipped++;
      return;
    }
    const rank = ACTION_RANK[e.action];
    const id = e.indicatorId;
    for (const o of owners) {
      const v = this.byOwner.get(o);
      if (v === undefined || (typeof v === 'number' && Math.floor(v / 8) === id)) {
        this.byOwner.set(o, id * 8 + rank);
      } else if (typeof v === 'number') {
        this.byOwner.set(
          o,
          new Map([
            [Math.floor(v / 8), v % 8],
            [id, rank],
          ]),
        );
      } else {
        v.set(id, Math.max(rank, v.get(id) ?? -1));
      }
    }
    const prev = this.ownersById.get(id);
    this.ownersById.set(id, prev ? [...prev, ...owners] : owners);
  }

  private removeOwner(owner: string, id: number): void {
    const v = this.byOwner.get(owner);
    if (v === undefined) return;
    if (typeof v === 'number') {
      if (Math.floor(v / 8) === id) this.byOwner.delete(owner);
      return;
    }
    v.delete(id);
    if (v.size === 1) {
      const [[i, r]] = [...v.entries()];
      this.byOwner.set(owner, i * 8 + r);
    } else if (v.size === 0) this.byOwner.delete(owner);
  }
}
