import type { Queryable } from '../../store/index.js';

/**
 * What the HTTP collector remembers about a source, kept under `sources.health.pull` (a key of its
 * own, so the reputation stage's keys beside it are left alone). The validators (etag,
 * last_modified) are only replaced after a pull that was fully ingested: a 304 must never hide data
 * that failed to load.
 */
export interface PullHealth {
  last_attempt_at?: string;
  last_success_at?: string;
  /** updated | not-modified | failed */
  last_result?: string;
  /** HTTP status of the last attempt (absent when no response came). */
  last_status?: number;
  last_error?: string | null;
  /** Body bytes, records and rejected lines of the last pull that returned a body. */
  bytes?: number;
  records?: number;
  rejected?: number;
  etag?: string;
  last_modified?: string;
  /** Consecutive failures; 0 after a success. */
  failures?: number;
  /** Earliest next attempt while backing off. */
  next_attempt_at?: string | null;
}

export interface SourceRef {
  id: number;
  name: string;
  format: string | null;
  url: string | null;
  reliability: number;
  health: PullHealth;
}

/** The source row for a feed (created on first use, url/format filled in if missing). */
export async function sourceFor(
  db: Queryable,
  feed: { name: string; url: string; format: string },
  now: Date,
): Promise<SourceRef> {
  const r = await db.query<{
    id: number;
    name: string;
    format: string | null;
    url: string | null;
    reliability: number;
    health: { pull?: PullHealth } | null;
  }>(
    `INSERT INTO sources (name, kind, format, url, created_at, updated_at) VALUES ($1, 'feed', $2, $3, $4, $4)
     ON CONFLICT (name) DO UPDATE SET format = coalesce(sources.format, excluded.format),
       url = coalesce(sources.url, excluded.url)
     RETURNING id, name, format, url, reliability, health`,
    [feed.name, feed.format, feed.url, now],
  );
  const row = r.rows[0];
  return { ...row, health: row.health?.pull ?? {} };
}

export async function writePullHealth(db: Queryable, sourceId: number, health: PullHealth): Promise<void> {
  await db.query(
    `UPDATE sources SET health = health || jsonb_build_object('pull', $2::jsonb) WHERE id = $1`,
    [sourceId, JSON.stringify(health)],
  );
}

export async function readPullHealth(db: Queryable, name: string): Promise<PullHealth | undefined> {
  const r = await db.query<{ health: { pull?: PullHealth } }>('SELECT health FROM sources WHERE name = $1', [
    name,
  ]);
  return r.rows[0] ? (r.rows[0].health?.pull ?? {}) : undefined;
}
