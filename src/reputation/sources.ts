import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';

export interface SourceRow {
  id: number;
  name: string;
  kind: string;
  format: string | null;
  url: string | null;
  schedule: string | null;
  reliability: number;
  default_ttl_days: Record<string, number>;
  enabled: boolean;
  health: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface SourceInput {
  name: string;
  kind?: 'feed' | 'sensor' | 'crawler' | 'partner' | 'analyst';
  format?: string | null;
  url?: string | null;
  schedule?: string | null;
  reliability?: number;
  default_ttl_days?: Record<string, number>;
  enabled?: boolean;
}

const COLS = `id, name, kind, format, url, schedule, reliability, default_ttl_days, enabled, health,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at`;

/** The source by name, created with the configured defaults on first use (first import). */
export async function ensureSource(
  ctx: AppContext,
  db: Queryable,
  name: string,
  format?: string,
): Promise<SourceRow> {
  if (!name || name.length > 200)
    throw new YojinError('REQUEST_INVALID', 'a source name is 1–200 characters');
  const now = ctx.clock.now();
  const r = await db.query<SourceRow>(
    `INSERT INTO sources (name, format, reliability, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (name) DO UPDATE SET format = coalesce(sources.format, excluded.format)
     RETURNING ${COLS}`,
    [name, format ?? null, ctx.config.reputation.default_reliability, now],
  );
  return r.rows[0];
}

export async function listSources(db: Queryable): Promise<SourceRow[]> {
  return (await db.query<SourceRow>(`SELECT ${COLS} FROM sources ORDER BY name`)).rows;
}

export async function getSource(db: Queryable, idOrName: string | number): Promise<SourceRow> {
  const byId = typeof idOrName === 'number' || /^\d+$/.test(idOrName);
  const r = await db.query<SourceRow>(
    `SELECT ${COLS} FROM sources WHERE ${byId ? 'id = $1::int' : 'name = $1'}`,
    [String(idOrName)],
  );
  if (!r.rows[0]) throw new YojinError('NOT_FOUND', `no source ${idOrName}`);
  return r.rows[0];
}

export async function createSource(ctx: AppContext, input: SourceInput): Promise<SourceRow> {
  const now = ctx.clock.now();
  try {
    const r = await ctx.store.query<SourceRow>(
      `INSERT INTO sources (name, kind, format, url, schedule, reliability, default_ttl_days, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ${COLS}`,
      [
        input.name,
        input.kind ?? 'feed',
        input.format ?? null,
        input.url ?? null,
        input.schedule ?? null,
        input.reliability ?? ctx.config.reputation.default_reliability,
        JSON.stringify(input.default_ttl_days ?? {}),
        input.enabled ?? true,
        now,
      ],
    );
    return r.rows[0];
  } catch (err) {
    if (/duplicate key|unique/i.test((err as Error).message))
      throw new YojinError('CONFLICT', `a source named ${input.name} already exists; update it instead`);
    throw err;
  }
}

/**
 * Changes a source. A new reliability or TTL takes effect on each indicator the next time it is
 * scored (next import of any source that lists it); see docs/reputation.md.
 */
export async function updateSource(
  ctx: AppContext,
  idOrName: string | number,
  patch: Partial<SourceInput>,
): Promise<SourceRow> {
  const cur = await getSource(ctx.store, idOrName);
  const r = await ctx.store.query<SourceRow>(
    `UPDATE sources SET name = $2, kind = $3, format = $4, url = $5, schedule = $6, reliability = $7,
       default_ttl_days = $8, enabled = $9, updated_at = $10 WHERE id = $1 RETURNING ${COLS}`,
    [
      cur.id,
      patch.name ?? cur.name,
      patch.kind ?? cur.kind,
      patch.format === undefined ? cur.format : patch.format,
      patch.url === undefined ? cur.url : patch.url,
      patch.schedule === undefined ? cur.schedule : patch.schedule,
      patch.reliability ?? cur.reliability,
      JSON.stringify(patch.default_ttl_days ?? cur.default_ttl_days),
      patch.enabled ?? cur.enabled,
      ctx.clock.now(),
    ],
  );
  return r.rows[0];
}

/** Deletes a source that has no observations; one with history can only be disabled. */
export async function deleteSource(ctx: AppContext, idOrName: string | number): Promise<void> {
  const cur = await getSource(ctx.store, idOrName);
  const used = await ctx.store.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM observations WHERE source_id = $1',
    [cur.id],
  );
  if (used.rows[0].n > 0)
    throw new YojinError(
      'CONFLICT',
      `source ${cur.name} has ${used.rows[0].n} observations; disable it (enabled=false) instead of deleting it`,
    );
  await ctx.store.query('DELETE FROM sources WHERE id = $1', [cur.id]);
}

/** Records the outcome of a pull or import in sources.health (merged into what is there). */
export async function recordSourceHealth(db: Queryable, sourceId: number, health: Record<string, unknown>) {
  await db.query('UPDATE sources SET health = health || $2::jsonb WHERE id = $1', [
    sourceId,
    JSON.stringify(health),
  ]);
}
