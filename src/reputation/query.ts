import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';
import type { Change } from './changelog.js';

export interface IndicatorFilter {
  /** Substring of the value (case-insensitive). */
  q?: string;
  kind?: string;
  category?: string;
  status?: string;
  scope?: string;
  /** Source name: only indicators this source observed. */
  source?: string;
  minConfidence?: number;
  maxConfidence?: number;
  /** last_seen bounds (ISO date-times). */
  seenAfter?: string;
  seenBefore?: string;
  limit?: number;
  offset?: number;
}

export interface IndicatorRow {
  id: number;
  kind: string;
  value: string;
  category: string;
  status: string;
  scope: string;
  scope_reason: string | null;
  confidence: number;
  tlp: string;
  first_seen: string;
  last_seen: string;
  expires_at: string | null;
  sources: string[];
}

export interface IndicatorDetail extends IndicatorRow {
  registrable: string | null;
  delisted_at: string | null;
  suppressed_until: string | null;
  observations: Array<{
    source: string;
    reliability: number;
    category: string;
    first_seen: string;
    last_seen: string;
    evidence_at: string | null;
    times_seen: number;
    raw: Record<string, unknown>;
  }>;
  history: Array<{
    at: string;
    actor: string;
    action: string;
    from_status: string | null;
    to_status: string | null;
    reason: string | null;
  }>;
  changes: Change[];
}

const ts = (col: string, as: string) =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ${as}`;

const ROW_COLS = `i.id, i.kind, i.value, i.category, i.status, i.scope, i.scope_reason,
  round(i.confidence::numeric, 4)::float8 AS confidence, i.tlp,
  ${ts('i.first_seen', 'first_seen')}, ${ts('i.last_seen', 'last_seen')}, ${ts('i.expires_at', 'expires_at')},
  coalesce((SELECT array_agg(s.name ORDER BY s.name) FROM observations o JOIN sources s ON s.id = o.source_id
            WHERE o.indicator_id = i.id), '{}') AS sources`;

/** Search with filters, newest first (by last_seen, then id); total counts the whole match. */
export async function listIndicators(
  db: Queryable,
  f: IndicatorFilter = {},
): Promise<{ total: number; items: IndicatorRow[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.q) where.push(`i.value ILIKE ${p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (f.kind) where.push(`i.kind = ${p(f.kind)}`);
  if (f.category) where.push(`i.category = ${p(f.category)}`);
  if (f.status) where.push(`i.status = ${p(f.status)}`);
  if (f.scope) where.push(`i.scope = ${p(f.scope)}`);
  if (f.source)
    where.push(
      `EXISTS (SELECT 1 FROM observations o JOIN sources s ON s.id = o.source_id WHERE o.indicator_id = i.id AND s.name = ${p(f.source)})`,
    );
  if (f.minConfidence !== undefined) where.push(`i.confidence >= ${p(f.minConfidence)}`);
  if (f.maxConfidence !== undefined) where.push(`i.confidence <= ${p(f.maxConfidence)}`);
  if (f.seenAfter) where.push(`i.last_seen >= ${p(f.seenAfter)}::timestamptz`);
  if (f.seenBefore) where.push(`i.last_seen < ${p(f.seenBefore)}::timestamptz`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM indicators i ${w}`, params);
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 1000);
  const items = await db.query<IndicatorRow>(
    `SELECT ${ROW_COLS} FROM indicators i ${w} ORDER BY i.last_seen DESC, i.id DESC LIMIT ${limit} OFFSET ${Math.max(0, f.offset ?? 0)}`,
    params,
  );
  return { total: total.rows[0].n, items: items.rows };
}

/** One indicator by id, or by value (canonical), with observations, history and change-log rows. */
export async function getIndicator(db: Queryable, idOrValue: string | number): Promise<IndicatorDetail> {
  const byId = typeof idOrValue === 'number' || /^\d+$/.test(idOrValue);
  const r = await db.query<IndicatorDetail>(
    `SELECT ${ROW_COLS}, i.registrable, ${ts('i.delisted_at', 'delisted_at')}, ${ts('i.suppressed_until', 'suppressed_until')}
       FROM indicators i WHERE ${byId ? 'i.id = $1::bigint' : 'i.value = $1'} ORDER BY i.id LIMIT 1`,
    [String(idOrValue)],
  );
  const ind = r.rows[0];
  if (!ind) throw new YojinError('NOT_FOUND', `no indicator ${idOrValue}`);
  ind.observations = (
    await db.query<IndicatorDetail['observations'][number]>(
      `SELECT s.name AS source, s.reliability, o.category, ${ts('o.first_seen', 'first_seen')}, ${ts('o.last_seen', 'last_seen')},
         ${ts('o.evidence_at', 'evidence_at')}, o.times_seen, o.raw
       FROM observations o JOIN sources s ON s.id = o.source_id WHERE o.indicator_id = $1 ORDER BY s.name`,
      [ind.id],
    )
  ).rows;
  ind.history = (
    await db.query<IndicatorDetail['history'][number]>(
      `SELECT ${ts('at', 'at')}, actor, action, from_status, to_status, reason FROM indicator_history
        WHERE indicator_id = $1 ORDER BY id`,
      [ind.id],
    )
  ).rows;
  ind.changes = (
    await db.query<Change>(
      `SELECT serial, ${ts('at', 'at')}, entity, entity_id, op, state FROM change_log
        WHERE entity = 'indicator' AND entity_id = $1 ORDER BY serial`,
      [String(ind.id)],
    )
  ).rows;
  return ind;
}
