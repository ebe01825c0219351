import type { AppContext } from '../app/index.js';
import { type FeedIngest, isLineError, type ParseItem } from '../pipeline/index.js';
import { loadAllowSet } from './allowlist.js';
import { STATE_SQL } from './changelog.js';
import { type Guards, prepareRecord, type StagedRow } from './guards.js';
import {
  aggSql,
  confTermSql,
  expiryTermSql,
  type ScoreParams,
  scoreParamValues,
  statusSql,
} from './score.js';
import { ensureSource, recordSourceHealth, type SourceRow } from './sources.js';
import { loadTopSites } from './top-sites.js';
import type { ImportSummary } from './types.js';

export interface ImportOptions {
  /** Source name (created with defaults on first import). */
  source: string;
  /** Feed format name (recorded on the source; parsing happened upstream). */
  format: string;
  items: AsyncIterable<ParseItem> | Iterable<ParseItem>;
  /** Called after each batch with the running summary (progress bars). */
  onProgress?: (s: ImportSummary) => void;
}

const MAX_REJECTS_KEPT = 1000;
const SCOPE_RANK: Record<string, number> = { url: 0, address: 0, host: 1, domain: 2 };

const STAGE_COLUMNS = [
  'kind',
  'value',
  'expr',
  'registrable',
  'net',
  'category',
  'scope',
  'scope_reason',
  'init_status',
  'evidence_at',
  'n_primary',
  'raw',
];

/** One indicator of a batch: records asserting the same thing are merged here, not in SQL. */
interface BatchRow extends StagedRow {
  /** Input records (not derived rows) behind it: the summary counts records. */
  nPrimary: number;
}

/** Merges a staged row into the batch: the widest scope a record asserts wins; newest evidence kept. */
function addToBatch(batch: Map<string, BatchRow>, r: StagedRow) {
  const key = `${r.kind} ${r.value}`;
  const cur = batch.get(key);
  if (!cur) {
    // The staged row is this batch's own object: extended in place, not copied.
    const row = r as BatchRow;
    row.nPrimary = r.primary ? 1 : 0;
    batch.set(key, row);
    return;
  }
  if (r.primary) cur.nPrimary++;
  if (r.evidenceAt && (!cur.evidenceAt || r.evidenceAt > cur.evidenceAt)) cur.evidenceAt = r.evidenceAt;
  const wider = SCOPE_RANK[r.scope] > SCOPE_RANK[cur.scope];
  if (wider || (SCOPE_RANK[r.scope] === SCOPE_RANK[cur.scope] && r.primary && !cur.primary)) {
    Object.assign(cur, { ...r, nPrimary: cur.nPrimary, evidenceAt: cur.evidenceAt });
  }
}

let topSitesCache: { file: string; set: Set<string> } | undefined;
function topSites(file: string): Set<string> {
  if (topSitesCache?.file !== file) topSitesCache = { file, set: loadTopSites(file) };
  return topSitesCache.set;
}

/** The guards (top sites + current allowlist) as the config and store have them now. */
export async function currentGuards(ctx: AppContext): Promise<Guards> {
  return { topSites: topSites(ctx.config.reputation.top_sites_file), allow: await loadAllowSet(ctx.store) };
}

/**
 * Imports parsed feed records: canonicalise, guard the scope, then per batch COPY into a staging
 * table and merge with set-based SQL (no query per line). Idempotent: the same input again only
 * moves last_seen / times_seen. Memory is bounded by the batch size, whatever the feed's size.
 */
export async function importFeed(ctx: AppContext, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const source = await ensureSource(ctx, ctx.store, opts.source, opts.format);
  const guards = await currentGuards(ctx);
  const summary: ImportSummary = {
    source: source.name,
    format: opts.format,
    read: 0,
    new: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    rejectedCount: 0,
    derivedHosts: 0,
    durationMs: 0,
  };
  const reject = (line: number, reason: string) => {
    summary.rejectedCount++;
    if (summary.rejected.length < MAX_REJECTS_KEPT) summary.rejected.push({ line, reason });
  };
  const batchSize = ctx.config.reputation.import_batch_size;
  let batch = new Map<string, BatchRow>();
  let records = 0;
  // One batch merges while the next is parsed and canonicalised: on PostgreSQL the server works
  // in parallel with this process. Merges still run one at a time, in order (at most two batches
  // in memory).
  let merging: Promise<void> | undefined;
  const flush = async () => {
    if (merging) await merging;
    merging = undefined;
    if (batch.size === 0) return;
    const rows = batch;
    batch = new Map();
    records = 0;
    const m = mergeBatch(ctx, source, rows).then((counts) => {
      summary.new += counts.new;
      summary.updated += counts.updated;
      summary.unchanged += counts.unchanged;
      summary.derivedHosts += counts.derived;
      opts.onProgress?.({ ...summary, durationMs: performance.now() - started });
    });
    // Awaited by the next flush; until then a failure must not count as unhandled.
    m.catch(() => {});
    merging = m;
  };

  try {
    for await (const item of opts.items) {
      summary.read++;
      if (isLineError(item)) {
        reject(item.line, item.reason);
        continue;
      }
      const p = prepareRecord(item, guards);
      if ('reason' in p) {
        reject(item.line, p.reason);
        continue;
      }
      for (const r of p.rows) addToBatch(batch, r);
      if (++records >= batchSize) await flush();
    }
    await flush();
  } catch (err) {
    // A failing feed (read error) must not leave a merge running behind the caller's back.
    await merging?.catch(() => {});
    throw err;
  }
  if (merging) await merging;
  summary.durationMs = Math.round(performance.now() - started);
  await recordSourceHealth(ctx.store, source.id, {
    last_import_at: ctx.clock.now().toISOString(),
    last_import: {
      format: opts.format,
      read: summary.read,
      new: summary.new,
      updated: summary.updated,
      unchanged: summary.unchanged,
      rejected: summary.rejectedCount,
    },
  });
  ctx.log.info({ ...summary, rejected: summary.rejectedCount }, 'feed imported');
  return summary;
}

/** The sink for the pipeline's scheduled pulls: `feedsService(reputationIngest)` in src/serve/services.ts. */
export function reputationIngest(ctx: AppContext): FeedIngest {
  return (source, items) => importFeed(ctx, { source: source.name, format: source.format, items });
}

/**
 * The sink the pipeline's collectors call with a parsed feed: same as `yojin import`.
 */
export function ingest(
  ctx: AppContext,
  source: string | { name: string; format?: string | null },
  items: AsyncIterable<ParseItem> | Iterable<ParseItem>,
  format?: string,
): Promise<ImportSummary> {
  const name = typeof source === 'string' ? source : source.name;
  const fmt = format ?? (typeof source === 'string' ? undefined : source.format) ?? 'unknown';
  return importFeed(ctx, { source: name, format: fmt, items });
}

interface BatchCounts {
  new: number;
  updated: number;
  unchanged: number;
  derived: number;
}

/**
 * One batch, set-based. Each indicator row is written once: new indicators are inserted already
 * scored (their only observation is the one being added, so the score comes from the batch row with
 * the same formula as rescore()), existing ones get last_seen, scope, score and updated_at in one
 * UPDATE after their observations are upserted. Before this, the upsert, rescore() and the
 * updated_at pass each wrote every row (three tuple versions, each through all of indicators'
 * indexes). Measured with 20k URLhaus lines on PGlite (process CPU seconds, since the 2-core box
 * was at load 10–18): first import 14.5 → 9.5 s, idempotent re-import 13.9 → 8.5 s
 * (with the narrower ANALYZE below and the parse/merge overlap in importFeed).
 *
 * Issue #3 (see docs/reputation.md "Performance notes"): the batch is resolved against indicators
 * once (rep_old, with this source's observation and whether other sources have one); existing and
 * new indicators then take one path each, a statement or two per path, chained with data-modifying
 * CTEs (the UPDATE's / INSERT's RETURNING feeds change_log, indicator_history and the counts, no
 * re-join); an indicator only this source observes is re-scored from its one observation without
 * aggregating; re-seen rows are HOT updates (migration 0101).
 */
async function mergeBatch(
  ctx: AppContext,
  source: SourceRow,
  rows: Map<string, BatchRow>,
): Promise<BatchCounts> {
  const now = ctx.clock.now();
  // $1 now, $2 half-life, $3 TTL table, $4 default TTL (scoreParamValues order).
  const p: ScoreParams = { now: '$1', halfLife: '$2', ttls: '$3', defaultTtl: '$4' };
  const params = scoreParamValues(ctx.config, now);
  const sid = Number(source.id);
  let primary = 0;
  let derived = 0;
  for (const r of rows.values()) {
    primary += r.nPrimary;
    if (r.nPrimary === 0) derived++;
  }
  return ctx.store.transaction(async (tx) => {
    // Sorts and hashes of a 20k-record batch spilled to disk at the default 4 MB (EXPLAIN: external
    // merge). JIT off: each statement runs for well under a second, where compiling cannot pay off
    // (it did not trigger in the benchmarks; off so that it cannot once tables grow).
    await tx.exec(`
      SET LOCAL work_mem = '64MB';
      SET LOCAL jit = off;
      CREATE TEMP TABLE rep_batch (
        kind text, value text, expr text, registrable text, net text, category text, scope text,
        scope_reason text, init_status text, evidence_at timestamptz, n_primary int, raw jsonb
      ) ON COMMIT DROP`);
    await tx.copyFrom('rep_batch', STAGE_COLUMNS, stageRows(rows.values()));
    // Temp tables have no statistics: without them the planner guesses a few rows and picks
    // nested loops over tens of thousands. Only the join keys matter (sampling raw jsonb cost
    // more than a second per 20k-row batch on PGlite), and a 3,000-row sample (statistics target
    // 10) is enough for them: a batch's keys are distinct (PGlite: 83 → 52 ms per batch).
    await tx.exec('SET LOCAL default_statistics_target = 10; ANALYZE rep_batch (kind, value)');
    // The batch's indicators that exist already, as they are now, with what the merge needs from
    // the batch row and from this source's observation.
    await tx.exec(
      `CREATE TEMP TABLE rep_old ON COMMIT DROP AS
        SELECT i.id, i.kind, i.value, i.status, i.category, i.scope, i.scope_reason, i.first_seen,
          i.last_seen, i.suppressed_until, i.delisted_at, i.updated_at,
          o.indicator_id IS NOT NULL AS had_obs, o.last_seen AS obs_last_seen, o.evidence_at AS obs_evidence_at,
          EXISTS (SELECT 1 FROM observations x WHERE x.indicator_id = i.id AND x.source_id <> ${sid}) AS other_obs,
          b.scope AS b_scope, b.scope_reason AS b_scope_reason, b.evidence_at AS b_evidence_at,
          b.category AS b_category, b.n_primary
        FROM rep_batch b JOIN indicators i ON i.kind = b.kind AND i.value = b.value
          LEFT JOIN observations o ON o.indicator_id = i.id AND o.source_id = ${sid}`,
    );
    const old = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM rep_old')).rows[0].n;
    const counts: BatchCounts = { new: 0, updated: 0, unchanged: 0, derived };
    if (old > 0) {
      await tx.exec('ANALYZE rep_old (id, kind, value)');
      await tx.query(
        `INSERT INTO observations (indicator_id, source_id, category, first_seen, last_seen, times_seen, raw, evidence_at)
          SELECT o.id, ${sid}, b.category, least(coalesce(b.evidence_at, $1), $1), $1, 1, b.raw, b.evidence_at
          FROM rep_old o JOIN rep_batch b ON b.kind = o.kind AND b.value = o.value
          ORDER BY o.id
          ON CONFLICT (indicator_id, source_id) DO UPDATE SET
            last_seen = greatest(observations.last_seen, excluded.last_seen),
            times_seen = observations.times_seen + 1,
            category = excluded.category,
            raw = excluded.raw,
            evidence_at = greatest(observations.evidence_at, excluded.evidence_at)`,
        [now],
      );
      // Existing indicators: seen again (last/first seen, wider scope) and re-scored from all their
      // observations, in one write. One only this source observes is scored from its observation
      // as the upsert above left it (last_seen, evidence_at: greatest of old and new; the batch's
      // category): the same terms aggSql sums over a single row. SET expressions read the row as it
      // was when rep_old was taken (earlier in this transaction, which changes no indicator before
      // this UPDATE): indicators is joined once, by the UPDATE itself.
      const newScope = `CASE WHEN ${rankSql('o.b_scope')} > ${rankSql('o.scope')} THEN o.b_scope ELSE o.scope END`;
      const obsLastSeen = 'greatest(o.obs_last_seen, $1::timestamptz)';
      const c = await tx.query<{ updated: number; unchanged: number }>(
        `WITH agg AS (${aggSql(p, 'o.indicator_id IN (SELECT id FROM rep_old WHERE other_obs)')}),
         nv AS (
           SELECT o.id,
             greatest(o.last_seen, $1) AS last_seen,
             least(o.first_seen, least(coalesce(o.b_evidence_at, $1), $1)) AS first_seen,
             ${newScope} AS scope,
             -- a URL's reason says whether its host is listed too, which can change (allowlist, guards)
             CASE WHEN ${rankSql('o.b_scope')} > ${rankSql('o.scope')} OR o.kind = 'url'
               THEN o.b_scope_reason ELSE o.scope_reason END AS scope_reason,
             least(1, greatest(0, x.conf)) AS confidence,
             x.exp AS expires_at,
             x.cat AS category,
             ${statusSql(p, 'o', 'x.exp', 'x.ev')} AS status,
             o.status AS old_status, o.category AS old_category, o.scope AS old_scope,
             o.updated_at AS old_updated_at, o.had_obs, o.n_primary
           FROM rep_old o
             CROSS JOIN (SELECT reliability, default_ttl_days FROM sources WHERE id = ${sid}) s
             LEFT JOIN agg ON agg.id = o.id
             CROSS JOIN LATERAL (SELECT
               CASE WHEN o.other_obs THEN agg.conf
                 ELSE 1 - exp(${confTermSql(p, obsLastSeen, 's.reliability')}) END AS conf,
               CASE WHEN o.other_obs THEN agg.exp
                 ELSE ${expiryTermSql(p, obsLastSeen, 'o.b_category', 's.default_ttl_days')} END AS exp,
               CASE WHEN o.other_obs THEN agg.ev ELSE greatest(o.obs_evidence_at, o.b_evidence_at) END AS ev,
               CASE WHEN o.other_obs THEN agg.cat ELSE o.b_category END AS cat) x),
         upd AS (
           UPDATE indicators i SET
             last_seen = nv.last_seen, first_seen = nv.first_seen, scope = nv.scope,
             scope_reason = nv.scope_reason, confidence = nv.confidence, expires_at = nv.expires_at,
             category = nv.category, status = nv.status,
             updated_at = CASE WHEN nv.status <> nv.old_status OR nv.category <> nv.old_category
               OR nv.scope <> nv.old_scope THEN $1 ELSE nv.old_updated_at END
           FROM nv WHERE i.id = nv.id
           RETURNING i.id, i.kind, i.value, i.category, i.scope, i.status, i.confidence, i.expires_at,
             nv.old_status, nv.old_category, nv.old_scope, nv.had_obs, nv.n_primary),
         hist AS (
           INSERT INTO indicator_history (indicator_id, at, actor, action, from_status, to_status, reason)
           SELECT id, $1, $5, 'status', old_status, status, 'seen again by ' || $6
             FROM upd WHERE old_status <> status ORDER BY id),
         -- change_log as logChanges() writes it: becoming active → add, leaving active → remove,
         -- active with another category or scope → update.
         cl AS (
           INSERT INTO change_log (at, entity, entity_id, op, state)
           SELECT $1, 'indicator', i.id::text,
             CASE WHEN i.status = 'active' AND i.old_status <> 'active' THEN 'add'
                  WHEN i.status <> 'active' THEN 'remove' ELSE 'update' END,
             ${STATE_SQL}
           FROM upd i
           WHERE (i.status = 'active' AND (i.old_status <> 'active' OR i.old_category <> i.category OR i.old_scope <> i.scope))
              OR (i.status <> 'active' AND i.old_status = 'active')
           ORDER BY i.id)
         SELECT
           coalesce(sum(n_primary) FILTER (WHERE NOT had_obs OR old_status <> status
             OR old_category <> category OR old_scope <> scope), 0)::int AS updated,
           coalesce(sum(n_primary) FILTER (WHERE had_obs AND old_status = status
             AND old_category = category AND old_scope = scope), 0)::int AS unchanged
         FROM upd`,
        [...params, `source:${source.name}`, source.name],
      );
      counts.updated = c.rows[0].updated;
      counts.unchanged = c.rows[0].unchanged;
    }
    counts.new = primary - counts.updated - counts.unchanged;
    if (old < rows.size) {
      // New indicators, scored from their one observation (this source, last seen now), with that
      // observation and their change_log 'add' (a new indicator that is not active logs nothing).
      await tx.query(
        `WITH ins AS (
           INSERT INTO indicators (kind, value, expr, registrable, net, category, status, scope, scope_reason,
               confidence, expires_at, first_seen, last_seen, created_at, updated_at)
           SELECT b.kind, b.value, b.expr, b.registrable, b.net::cidr, b.category,
             ${statusSql(p, 'x', 'x.exp', 'b.evidence_at')},
             b.scope, b.scope_reason, least(1, greatest(0, x.conf)), x.exp,
             least(coalesce(b.evidence_at, $1), $1), $1, $1, $1
           FROM rep_batch b
             CROSS JOIN LATERAL (SELECT b.init_status AS status, NULL::timestamptz AS suppressed_until,
                 NULL::timestamptz AS delisted_at,
                 1 - exp(${confTermSql(p, '$1::timestamptz', 's.reliability')}) AS conf,
                 ${expiryTermSql(p, '$1::timestamptz', 'b.category', 's.default_ttl_days')} AS exp
               FROM sources s WHERE s.id = ${sid}) x
           WHERE NOT EXISTS (SELECT 1 FROM rep_old o WHERE o.kind = b.kind AND o.value = b.value)
           ORDER BY b.kind, b.value
           RETURNING id, kind, value, category, scope, status, confidence, expires_at),
         obs AS (
           INSERT INTO observations (indicator_id, source_id, category, first_seen, last_seen, times_seen, raw, evidence_at)
           SELECT n.id, ${sid}, b.category, least(coalesce(b.evidence_at, $1), $1), $1, 1, b.raw, b.evidence_at
           FROM ins n JOIN rep_batch b ON b.kind = n.kind AND b.value = n.value
           ORDER BY n.id)
         INSERT INTO change_log (at, entity, entity_id, op, state)
         SELECT $1, 'indicator', i.id::text, 'add', ${STATE_SQL}
         FROM ins i WHERE i.status = 'active'
         ORDER BY i.id`,
        params,
      );
    }
    return counts;
  });
}

function rankSql(col: string) {
  return `(CASE ${col} WHEN 'domain' THEN 2 WHEN 'host' THEN 1 ELSE 0 END)`;
}

function* stageRows(rows: Iterable<BatchRow>): Generator<unknown[]> {
  for (const r of rows) {
    yield [
      r.kind,
      r.value,
      r.expr,
      r.registrable,
      r.net,
      r.category,
      r.scope,
      r.scopeReason,
      r.initStatus,
      r.evidenceAt,
      r.nPrimary,
      r.raw,
    ];
  }
}
