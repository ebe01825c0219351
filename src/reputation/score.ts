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
/**
 * SQL fragments of the scoring model, shared by rescore() and the import's merge (which scores new
 * indicators while inserting them and existing ones in the same UPDATE that moves last_seen, so each
 * indicator row is written once per batch). `p` maps the parameters: now, half-life, TTL table, default TTL.
 */
export interface ScoreParams {
  now: string;
  halfLife: string;
  ttls: string;
  defaultTtl: string;
}

/** One observation's term of Σ ln(1 − r·0.5^(age/half_life)); `o` has last_seen and category, `s` is its source. */
export function confTermSql(p: ScoreParams, lastSeen: string, reliability: string): string {
  return `ln(1 - least(0.999999, ${reliability} * power(0.5,
               greatest(0, extract(epoch FROM (${p.now}::timestamptz - ${lastSeen}))) / 86400.0 / ${p.halfLife}::float8)))`;
}

/** One observation's expiry: last_seen + TTL(category, source). */
export function expiryTermSql(
  p: ScoreParams,
  lastSeen: string,
  category: string,
  sourceTtls: string,
): string {
  return `${lastSeen} + make_interval(days => coalesce((${sourceTtls} ->> ${category})::int,
               (${p.ttls}::jsonb ->> ${category})::int, ${p.defaultTtl}::int))`;
}

/** The status an indicator gets from its current status and aggregated expiry / newest evidence. */
export function statusSql(p: ScoreParams, i: string, exp: string, ev: string): string {
  return `CASE
         WHEN ${i}.status = 'allowlisted' THEN 'allowlisted'
         WHEN ${i}.status = 'delisted' AND ${i}.suppressed_until > ${p.now}
              AND (${ev} IS NULL OR ${ev} <= ${i}.delisted_at) THEN 'delisted'
         WHEN ${exp} > ${p.now} THEN 'active'
         ELSE 'expired' END`;
}

/** The parameter values, in ScoreParams order, for `config`. */
export function scoreParamValues(config: Config, now: Date): unknown[] {
  return [
    now,
    config.reputation.half_life_days,
    JSON.stringify(ttlTable(config)),
    config.reputation.default_ttl_days,
  ];
}

/** Per-indicator aggregates (id, conf, exp, ev, cat) over the observations whose indicator_id `where` selects. */
export function aggSql(p: ScoreParams, where: string): string {
  return `SELECT o.indicator_id AS id,
         1 - exp(sum(${confTermSql(p, 'o.last_seen', 's.reliability')})) AS conf,
         max(${expiryTermSql(p, 'o.last_seen', 'o.category', 's.default_ttl_days')}) AS exp,
         max(o.evidence_at) AS ev,
         (array_agg(o.category ORDER BY s.reliability DESC, o.last_seen DESC))[1] AS cat
       FROM observations o JOIN sources s ON s.id = o.source_id
       WHERE ${where}
       GROUP BY o.indicator_id`;
}

export async function rescore(
  db: Queryable,
  config: Config,
  now: Date,
  idsSql: string,
  idsParams: unknown[] = [],
): Promise<void> {
  const n = idsParams.length;
  const p: ScoreParams = {
    now: `$${n + 1}`,
    halfLife: `$${n + 2}`,
    ttls: `$${n + 3}`,
    defaultTtl: `$${n + 4}`,
  };
  await db.query(
    `WITH agg AS (${aggSql(p, `o.indicator_id IN (${idsSql})`)})
     UPDATE indicators i SET
       confidence = least(1, greatest(0, agg.conf)),
       expires_at = agg.exp,
       category = agg.cat,
       status = ${statusSql(p, 'i', 'agg.exp', 'agg.ev')}
     FROM agg WHERE i.id = agg.id`,
    [...idsParams, ...scoreParamValues(config, now)],
  );
}
