import type { AppContext } from '../app/index.js';
import { canonicalDomain, canonicalUrl, domainInfo } from '../canon/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';
import { logIndicatorChange } from './changelog.js';
import { type AllowSet, allowedHost, emptyAllowSet } from './guards.js';
import { addHistory } from './history.js';
import { rescore } from './score.js';

export type AllowKind = 'domain' | 'registrable' | 'url';
export const ALLOW_KINDS: readonly AllowKind[] = ['domain', 'registrable', 'url'];

export interface AllowEntry {
  id: number;
  kind: AllowKind;
  value: string;
  reason: string;
  added_by: string;
  created_at: string;
  removed_at: string | null;
  removed_by: string | null;
}

const COLS = `id, kind, value, reason, added_by,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
  to_char(removed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS removed_at, removed_by`;

export async function loadAllowSet(db: Queryable): Promise<AllowSet> {
  const set = emptyAllowSet();
  const r = await db.query<{ kind: AllowKind; value: string; reason: string }>(
    'SELECT kind, value, reason FROM allowlist WHERE removed_at IS NULL',
  );
  for (const e of r.rows) {
    const m = e.kind === 'domain' ? set.domains : e.kind === 'registrable' ? set.registrables : set.urls;
    m.set(e.value, e.reason);
  }
  return set;
}

export async function listAllowlist(db: Queryable, includeRemoved = false): Promise<AllowEntry[]> {
  const r = await db.query<AllowEntry>(
    `SELECT ${COLS} FROM allowlist ${includeRemoved ? '' : 'WHERE removed_at IS NULL'} ORDER BY id`,
  );
  return r.rows;
}

function canonicalEntry(kind: AllowKind, value: string): string {
  if (kind === 'url') return canonicalUrl(value);
  const d = canonicalDomain(value);
  if (kind === 'registrable') {
    const info = domainInfo(d);
    if (info.registrable !== d)
      throw new YojinError(
        'REQUEST_INVALID',
        `${d} is not a registrable domain (its registrable domain is ${info.registrable ?? 'none'}); use kind "domain" for a name and its subdomains`,
      );
  }
  return d;
}

/** SQL condition selecting the indicators an entry covers (URL-level listings only by a URL entry). */
function coverSql(kind: AllowKind): string {
  if (kind === 'url') return `kind = 'url' AND value = $1`;
  if (kind === 'registrable') return `kind = 'domain' AND registrable = $1`;
  return `kind = 'domain' AND (value = $1 OR right(value, length($1) + 1) = '.' || $1)`;
}

/**
 * Allowlists a domain (and its subdomains), a registrable domain, or one URL: covered listings
 * become 'allowlisted' (removed from enforcement, change_log remove) and future imports keep them so.
 * Domain entries leave URL listings on the domain in force: a bad URL on a good site is still bad.
 */
export async function addAllowlist(
  ctx: AppContext,
  input: { kind: AllowKind; value: string; reason: string; actor: string },
): Promise<{ entry: AllowEntry; affected: number }> {
  if (!input.reason?.trim()) throw new YojinError('REQUEST_INVALID', 'an allowlist entry needs a reason');
  const value = canonicalEntry(input.kind, input.value);
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    const dup = await tx.query(
      'SELECT 1 FROM allowlist WHERE kind = $1 AND value = $2 AND removed_at IS NULL',
      [input.kind, value],
    );
    if (dup.rows.length > 0)
      throw new YojinError('CONFLICT', `${input.kind} ${value} is already allowlisted`);
    const e = await tx.query<AllowEntry>(
      `INSERT INTO allowlist (kind, value, reason, added_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLS}`,
      [input.kind, value, input.reason, input.actor, now],
    );
    const hit = await tx.query<{ id: number; status: string }>(
      `SELECT id, status FROM indicators WHERE ${coverSql(input.kind)} AND status <> 'allowlisted' ORDER BY id`,
      [value],
    );
    for (const h of hit.rows) {
      await tx.query(
        `UPDATE indicators SET status = 'allowlisted', scope_reason = $2, updated_at = $3 WHERE id = $1`,
        [h.id, `allowlisted (${input.kind} ${value}: ${input.reason})`, now],
      );
      if (h.status === 'active') await logIndicatorChange(tx, h.id, 'remove', now);
      await addHistory(tx, {
        indicatorId: h.id,
        at: now,
        actor: input.actor,
        action: 'allowlist',
        from: h.status,
        to: 'allowlisted',
        reason: input.reason,
        details: { entry: e.rows[0].id },
      });
    }
    return { entry: e.rows[0], affected: hit.rows.length };
  });
}

/**
 * Removes an allowlist entry (kept, with who removed it); listings it covered and no other entry
 * covers are re-scored from their observations and return to enforcement if still current.
 */
export async function removeAllowlist(
  ctx: AppContext,
  id: number,
  actor: string,
): Promise<{ entry: AllowEntry; restored: number }> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    const e = await tx.query<AllowEntry>(
      `UPDATE allowlist SET removed_at = $2, removed_by = $3 WHERE id = $1 AND removed_at IS NULL RETURNING ${COLS}`,
      [id, now, actor],
    );
    const entry = e.rows[0];
    if (!entry) throw new YojinError('NOT_FOUND', `no active allowlist entry ${id}`);
    const remaining = await loadAllowSet(tx);
    const hit = await tx.query<{ id: number; kind: string; value: string; registrable: string | null }>(
      `SELECT id, kind, value, registrable FROM indicators WHERE ${coverSql(entry.kind)} AND status = 'allowlisted' ORDER BY id`,
      [entry.value],
    );
    let restored = 0;
    for (const h of hit.rows) {
      const still =
        h.kind === 'url' ? remaining.urls.has(h.value) : allowedHost(h.value, h.registrable, remaining);
      if (still) continue;
      // Leave 'allowlisted' first so the re-score decides active or expired from the observations.
      await tx.query(
        `UPDATE indicators SET status = 'expired', scope_reason = $2, updated_at = $3 WHERE id = $1`,
        [h.id, restoredReason(h.kind), now],
      );
      await rescore(tx, ctx.config, now, '$1::bigint', [h.id]);
      const s = await tx.query<{ status: string }>('SELECT status FROM indicators WHERE id = $1', [h.id]);
      if (s.rows[0].status === 'active') await logIndicatorChange(tx, h.id, 'add', now);
      await addHistory(tx, {
        indicatorId: h.id,
        at: now,
        actor,
        action: 'allowlist-removed',
        from: 'allowlisted',
        to: s.rows[0].status,
        reason: `allowlist entry ${entry.id} removed`,
      });
      restored++;
    }
    return { entry, restored };
  });
}

function restoredReason(kind: string) {
  return kind === 'url'
    ? 'URL listing (allowlist entry removed)'
    : 'listing restored (allowlist entry removed)';
}
