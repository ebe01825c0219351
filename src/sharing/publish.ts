import type { Hub } from './hub.js';
import { listCollections } from './orgs.js';
import {
  type IndicatorRow,
  indicatorObject,
  malwareObject,
  relationshipObject,
  type StixObject,
  sanitizeOutbound,
  sightingObject,
  type Tlp,
  tlpMarkingDefinition,
  tlpRank,
} from './stix/index.js';
import { addObjects } from './taxii/objects-store.js';

/**
 * The STIX objects that represent indicator rows, as they may leave yojin: each indicator with its TLP by
 * rule, its malware family and relationship, our identity and the marking definitions they use — every
 * object passed through sanitizeOutbound (RED dropped, addresses anonymised, text scrubbed).
 */
export interface SeenSummary {
  count: number;
  first: Date;
  last: Date;
}

export function indicatorBundleObjects(
  hub: Hub,
  rows: IndicatorRow[],
  modified: (r: IndicatorRow) => Date,
  maxTlp: Tlp = 'amber+strict',
  seen: Map<number, SeenSummary> = new Map(),
) {
  const out = new Map<string, StixObject>();
  let refused = 0;
  const put = (o: StixObject) => {
    const s = sanitizeOutbound(o, hub.rules);
    if (!s || tlpRank(s.tlp) > tlpRank(maxTlp)) {
      refused++;
      return undefined;
    }
    out.set(`${s.object.id}|${s.object.modified ?? ''}`, s.object);
    return s;
  };
  put(hub.identity);
  const used = new Set<Tlp>();
  for (const row of rows) {
    const tlp: Tlp = hub.rules.clearCategories.includes(row.category) ? 'clear' : hub.rules.indicatorTlp;
    const ind = put(indicatorObject(row, hub.identity.id, tlp, modified(row)));
    if (!ind) continue;
    used.add(ind.tlp);
    const sum = seen.get(Number(row.id));
    if (sum && ind.tlp !== 'clear') {
      // how often our sources saw it (no subscriber data: observations are feed/sensor facts)
      put(
        sightingObject(
          ind.object.id,
          [],
          [hub.identity.id],
          sum,
          hub.identity.id,
          tlp,
          `${ind.object.id}|${sum.last.toISOString()}`,
        ),
      );
    }
    const family = typeof row.attributes?.family === 'string' ? row.attributes.family : undefined;
    if (family) {
      const mal = put(malwareObject(family, hub.identity.id, tlp));
      if (mal) put(relationshipObject(ind.object.id, 'indicates', mal.object.id, hub.identity.id, tlp));
    }
  }
  for (const t of used) out.set(tlpMarkingDefinition(t).id, tlpMarkingDefinition(t));
  return { objects: [...out.values()], refused };
}

const BATCH = 5000;

/**
 * Publishes changes to our indicators into every collection whose content is 'indicators', reading the
 * change log from the collection's last published serial: each changed indicator gets a new version
 * (revoked when no longer enforced). Returns objects added per collection.
 */
export async function publishIndicators(hub: Hub): Promise<Record<string, number>> {
  const { ctx } = hub;
  const added: Record<string, number> = {};
  for (const c of await listCollections(ctx.store)) {
    if (c.content !== 'indicators') continue;
    let serial = Number(c.published_serial);
    let total = 0;
    for (;;) {
      const changes = await ctx.store.query<{ serial: number; entity_id: string; at: Date }>(
        `SELECT serial, entity_id, at FROM change_log WHERE entity = 'indicator' AND serial > $1 ORDER BY serial LIMIT $2`,
        [serial, BATCH],
      );
      if (changes.rows.length === 0) break;
      const lastAt = new Map(changes.rows.map((r) => [Number(r.entity_id), new Date(r.at)]));
      const rows = await ctx.store.query<IndicatorRow>(
        `SELECT id, kind, value, category, status, confidence, first_seen, last_seen, expires_at, updated_at, attributes
         FROM indicators WHERE id = ANY($1::bigint[])`,
        [[...lastAt.keys()]],
      );
      const seen = await ctx.store.query<{ indicator_id: number; count: number; first: Date; last: Date }>(
        `SELECT indicator_id, sum(times_seen)::int AS count, min(first_seen) AS first, max(last_seen) AS last
         FROM observations WHERE indicator_id = ANY($1::bigint[]) GROUP BY indicator_id`,
        [[...lastAt.keys()]],
      );
      const seenMap = new Map(
        seen.rows.map((r) => [Number(r.indicator_id), { count: r.count, first: r.first, last: r.last }]),
      );
      const { objects } = indicatorBundleObjects(
        hub,
        rows.rows,
        (r) => lastAt.get(Number(r.id)) ?? r.updated_at,
        c.max_tlp,
        seenMap,
      );
      const newSerial = changes.rows[changes.rows.length - 1].serial;
      await ctx.store.transaction(async (tx) => {
        const res = await addObjects(hub, tx, c, objects, ctx.clock.now());
        total += res.successes.length;
        await tx.query('UPDATE taxii_collections SET published_serial = $2 WHERE id = $1', [c.id, newSerial]);
      });
      serial = newSerial;
    }
    added[c.alias ?? c.id] = total;
  }
  return added;
}
