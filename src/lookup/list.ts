import type { Queryable, Store } from '../store/index.js';
import { fullHash, indicatorExpression, prefixInt, prefixToBase64 } from './hash.js';

/**
 * Serials re-read behind the last one folded in. On PostgreSQL a transaction can commit a lower
 * serial after a higher one was already read; re-reading a window catches those (re-processing an
 * indicator is harmless: the ledger is compared with its current state).
 */
export const LOOKBACK_SERIALS = 1000;
const BATCH = 5000;

interface IndicatorRow {
  id: string;
  kind: string;
  value: string;
  category: string;
  status: string;
  scope: string;
}

interface Entry {
  indicatorId: string;
  expression: string;
  hash: Buffer;
  category: string;
  subdomains: boolean;
}

function entriesOf(rows: IndicatorRow[]): Entry[] {
  const out: Entry[] = [];
  for (const r of rows) {
    if (r.status !== 'active') continue;
    const e = indicatorExpression(r.kind, r.value, r.scope);
    if (!e) continue;
    out.push({
      indicatorId: String(r.id),
      expression: e.expression,
      hash: fullHash(e.expression),
      category: r.category,
      subdomains: e.subdomains,
    });
  }
  return out;
}

async function insertEntries(tx: Queryable, entries: Entry[], version: number) {
  if (!entries.length) return;
  await tx.copyFrom(
    'lookup_entries',
    ['indicator_id', 'expression', 'full_hash', 'prefix', 'category', 'subdomains', 'added_version'],
    entries.map((e) => [
      e.indicatorId,
      e.expression,
      `\\x${e.hash.toString('hex')}`,
      prefixInt(e.hash),
      e.category,
      e.subdomains,
      version,
    ]),
  );
}

export interface SyncReport {
  version: number;
  serial: number;
  added: number;
  removed: number;
  rebuilt: boolean;
}

/**
 * Folds the change log into the prefix ledger and returns the list version. The first run builds the
 * ledger from every active indicator; later runs look only at indicators the change log names.
 * `force` re-reads the look-back window even when no new serial appeared (the periodic sync does).
 * Serialised by a row lock on lookup_state, so concurrent API requests cannot double-apply.
 */
export async function syncLookupList(
  store: Store,
  opts: { historySerials?: number; force?: boolean } = {},
): Promise<SyncReport> {
  // Cheap check outside the transaction: nothing new → nothing to do.
  const pre = await store.query<{ serial: string; built: boolean; max: string }>(
    `SELECT s.serial, s.built, (SELECT coalesce(max(serial), 0) FROM change_log) AS max FROM lookup_state s`,
  );
  const p = pre.rows[0];
  if (p.built && !opts.force && Number(p.max) === Number(p.serial)) {
    const v = await store.query<{ version: string }>('SELECT version FROM lookup_state');
    return {
      version: Number(v.rows[0].version),
      serial: Number(p.serial),
      added: 0,
      removed: 0,
      rebuilt: false,
    };
  }
  return store.transaction(async (tx) => {
    const st = (
      await tx.query<{ version: string; serial: string; built: boolean }>(
        'SELECT version, serial, built FROM lookup_state FOR UPDATE',
      )
    ).rows[0];
    const oldVersion = Number(st.version);
    const oldSerial = Number(st.serial);
    const maxSerial = Number(
      (await tx.query<{ m: string }>('SELECT coalesce(max(serial), 0) AS m FROM change_log')).rows[0].m,
    );
    const candidate = Math.max(maxSerial, oldVersion + 1);
    let added = 0;
    let removed = 0;

    if (!st.built) {
      let after = '0';
      for (;;) {
        const rows = (
          await tx.query<IndicatorRow>(
            `SELECT id::text AS id, kind, value, category, status, scope FROM indicators
              WHERE status = 'active' AND indicators.id > $1::bigint ORDER BY indicators.id LIMIT ${BATCH}`,
            [after],
          )
        ).rows;
        if (!rows.length) break;
        after = rows[rows.length - 1].id;
        const entries = entriesOf(rows);
        await insertEntries(tx, entries, candidate);
        added += entries.length;
      }
    } else {
      const ids = (
        await tx.query<{ id: string }>(
          `SELECT DISTINCT entity_id AS id FROM change_log
            WHERE entity = 'indicator' AND serial > $1 AND entity_id ~ '^[0-9]+$'`,
          [Math.max(0, oldSerial - LOOKBACK_SERIALS)],
        )
      ).rows.map((r) => r.id);
      for (let i = 0; i < ids.length; i += BATCH) {
        const chunk = ids.slice(i, i + BATCH);
        const current = (
          await tx.query<IndicatorRow>(
            `SELECT id::text AS id, kind, value, category, status, scope FROM indicators
              WHERE id = ANY($1::bigint[])`,
            [chunk],
          )
        ).rows;
        const want = entriesOf(current);
        const have = (
          await tx.query<{
            id: string;
            indicator_id: string;
            expression: string;
            category: string;
            subdomains: boolean;
          }>(
            `SELECT id::text AS id, indicator_id::text AS indicator_id, expression, category, subdomains
               FROM lookup_entries WHERE removed_version IS NULL AND indicator_id = ANY($1::bigint[])`,
            [chunk],
          )
        ).rows;
        const key = (x: {
          indicatorId?: string;
          indicator_id?: string;
          expression: string;
          category: string;
          subdomains: boolean;
        }) => `${x.indicatorId ?? x.indicator_id}\0${x.expression}\0${x.category}\0${x.subdomains}`;
        const wantKeys = new Set(want.map(key));
        const haveKeys = new Set(have.map(key));
        const stale = have.filter((h) => !wantKeys.has(key(h))).map((h) => h.id);
        const fresh = want.filter((w) => !haveKeys.has(key(w)));
        if (stale.length) {
          await tx.query('UPDATE lookup_entries SET removed_version = $1 WHERE id = ANY($2::bigint[])', [
            candidate,
            stale,
          ]);
        }
        await insertEntries(tx, fresh, candidate);
        added += fresh.length;
        removed += stale.length;
      }
    }

    const changed = added + removed > 0;
    const version = changed ? candidate : Math.max(maxSerial, oldVersion);
    // Forget history older than the window: diffs from before it are answered with the full list.
    const history = opts.historySerials ?? 1_000_000;
    const cutoff = version - history;
    let oldest: number | null = null;
    if (cutoff > 0) {
      await tx.query(
        'DELETE FROM lookup_entries WHERE removed_version IS NOT NULL AND removed_version <= $1',
        [cutoff],
      );
      oldest = cutoff;
    }
    await tx.query(
      `UPDATE lookup_state SET version = $1::bigint, serial = $2, built = true, synced_at = now(),
              oldest_since = greatest(oldest_since, coalesce($3::bigint, oldest_since), CASE WHEN $4::boolean THEN $1::bigint ELSE oldest_since END)`,
      [version, Math.max(maxSerial, oldSerial), oldest, !st.built],
    );
    return { version, serial: Math.max(maxSerial, oldSerial), added, removed, rebuilt: !st.built };
  });
}

export interface ListAnswer {
  version: number;
  full: boolean;
  additions: string[];
  removals: string[];
}

/**
 * The prefix list as a diff from version `since` (additions and removals of 4-byte prefixes, base64),
 * or in full when `since` is absent, ahead of the server, or older than the kept history.
 */
export async function listSince(
  store: Store,
  since: number | undefined,
  opts: { historySerials?: number } = {},
): Promise<ListAnswer> {
  await syncLookupList(store, opts);
  return store.transaction(async (tx) => {
    const st = (
      await tx.query<{ version: string; oldest_since: string }>(
        'SELECT version, oldest_since FROM lookup_state',
      )
    ).rows[0];
    const version = Number(st.version);
    // Older than the history window counts as too old even before the next sync prunes it.
    const oldest = Math.max(Number(st.oldest_since), version - (opts.historySerials ?? 1_000_000));
    if (since === undefined || since > version || since < oldest) {
      const r = await tx.query<{ prefix: number }>(
        'SELECT DISTINCT prefix FROM lookup_entries WHERE removed_version IS NULL ORDER BY prefix',
      );
      return { version, full: true, additions: r.rows.map((x) => prefixToBase64(x.prefix)), removals: [] };
    }
    if (since === version) return { version, full: false, additions: [], removals: [] };
    // A prefix was listed at `since` if some row was alive then, and is listed now if some row is
    // alive now; only prefixes touched after `since` can differ.
    const r = await tx.query<{ prefix: number; was: boolean; now: boolean }>(
      `SELECT prefix,
              bool_or(added_version <= $1 AND (removed_version IS NULL OR removed_version > $1)) AS was,
              bool_or(removed_version IS NULL) AS now
         FROM lookup_entries
        WHERE prefix IN (SELECT prefix FROM lookup_entries WHERE added_version > $1 OR removed_version > $1)
        GROUP BY prefix
       HAVING bool_or(added_version <= $1 AND (removed_version IS NULL OR removed_version > $1))
              <> bool_or(removed_version IS NULL)
        ORDER BY prefix`,
      [since],
    );
    return {
      version,
      full: false,
      additions: r.rows.filter((x) => x.now).map((x) => prefixToBase64(x.prefix)),
      removals: r.rows.filter((x) => x.was).map((x) => prefixToBase64(x.prefix)),
    };
  });
}

export interface FullHashMatch {
  /** base64 of the 32-byte SHA-256 of the listed expression */
  hash: string;
  category: string;
  /** true: the listing covers subdomains of the expression's host; false: that exact host only */
  subdomains: boolean;
}

/** Every listed full hash whose first 4 bytes are one of `prefixes` (int32), deduplicated. */
export async function fullHashesFor(store: Queryable, prefixes: number[]): Promise<FullHashMatch[]> {
  if (!prefixes.length) return [];
  const r = await store.query<{ full_hash: Uint8Array; category: string; subdomains: boolean }>(
    `SELECT DISTINCT full_hash, category, subdomains FROM lookup_entries
      WHERE removed_version IS NULL AND prefix = ANY($1::int[])
      ORDER BY full_hash, category, subdomains`,
    [prefixes],
  );
  return r.rows.map((x) => ({
    hash: Buffer.from(x.full_hash).toString('base64'),
    category: x.category,
    subdomains: x.subdomains,
  }));
}
