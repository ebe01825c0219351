import type { Config } from '../config/index.js';
import type { Queryable } from '../store/index.js';

/** Config TTLs keyed by category name (config keys use _ where categories use -). */
export function ttlTable(config: Config): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(config.reputation.ttl_days)) out[k.replaceAll('_', '-')] = v;
  return out;
}

/**
 * Re-scores the indicators whose ids `idsSql` selects, from all their observations:
 *   confidence = 1 − Π (1 − r_i · 0.5^(age_i / half_life))   (independent sources; age since last seen)
 *   expires_at = max (last_seen_i + TTL(category_i, source_i))
 *   category   = the category of the most reliable (then most recent) observation
 *   status     = allowlisted stays; delisted stays while suppressed and no source has evidence newer
 *                than the delisting; otherwise active until expires_at, then expired.
 * Only SQL: imports call it on a batch of tens of thousands of indicators at once.
 */
export async function rescore(
  db: Queryable,
  config: Config,
  now: Date,
  idsSql: string,
  idsParams: unknown[] = [],
): Promise<void> {
  const n = idsParams.length;
  await db.query(
    `WITH agg AS (
       SELECT o.indicator_id AS id,
         1 - exp(sum(ln(1 - least(0.999999, s.reliability * power(0.5,
               greatest(0, extract(epoch FROM ($${n + 1}::timestamptz - o.last_seen))) / 86400.0 / $${n + 2}::float8))))) AS conf,
         max(o.last_seen + make_interval(days => coalesce((s.default_ttl_days ->> o.category)::int,
               ($${n + 3}::jsonb ->> o.category)::int, $${n + 4}::int))) AS exp,
         max(o.evidence_at) AS ev,
         (array_agg(o.category ORDER BY s.reliability DESC, o.last_seen DESC))[1] AS cat
       FROM observations o JOIN sources s ON s.id = o.source_id
       WHERE o.indicator_id IN (${idsSql})
       GROUP BY o.indicator_id)
     UPDATE indicators i SET
       confidence = least(1, greatest(0, agg.conf)),
       expires_at = agg.exp,
       category = agg.cat,
       status = CASE
         WHEN i.status = 'allowlisted' THEN 'allowlisted'
         WHEN i.status = 'delisted' AND i.suppressed_until > $${n + 1}
              AND (agg.ev IS NULL OR agg.ev <= i.delisted_at) THEN 'delisted'
         WHEN agg.exp > $${n + 1} THEN 'active'
         ELSE 'expired' END
     FROM agg WHERE i.id = agg.id`,
    [
      ...idsParams,
      now,
      config.reputation.half_life_days,
      JSON.stringify(ttlTable(config)),
      config.reputation.default_ttl_days,
    ],
  );
}
