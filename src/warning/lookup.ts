import { urlExpressions } from '../canon/index.js';
import type { Queryable } from '../store/index.js';

/** Why the host is on the warning page: the listing that covers it. */
export interface Listing {
  /** url: the requested URL itself is listed; domain: the host (or a parent) is; site-pages: only
   *  other pages of the host are listed (the resolver warns by name, it cannot see paths). */
  match: 'url' | 'domain' | 'site-pages';
  indicatorId: number;
  /** The listed value, as the false-positive workflow knows it. */
  value: string;
  category: string;
}

interface Row {
  id: string | number;
  kind: string;
  value: string;
  expr: string | null;
  category: string;
  scope: string;
}

/** The host and every parent domain, most specific first (`a.b.example` → a.b.example, b.example, example). */
export function hostAndParents(host: string): string[] {
  const labels = host.split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
}

/**
 * The Safe Browsing expressions of the requested URL (host suffixes × path prefixes, canonicalised
 * exactly as the reputation list stores `indicators.expr`). None when the URL cannot be
 * canonicalised: then only name listings can match.
 */
export function requestExpressions(host: string, target: string): string[] {
  try {
    return urlExpressions(`http://${host}${target}`);
  } catch {
    return [];
  }
}

const ACTIVE = `status = 'active' AND (expires_at IS NULL OR expires_at > $2)`;

/**
 * Finds the active listing that explains a warning for `host` and the requested `target`: the URL
 * itself if it is listed, else a domain listing of the host or of a parent whose scope covers
 * subdomains, else any listed page of the host. Undefined when nothing lists it (any more).
 */
export async function findListing(
  db: Queryable,
  host: string,
  target: string,
  now: Date,
): Promise<Listing | undefined> {
  const exprs = requestExpressions(host, target);
  if (exprs.length > 0) {
    const u = await db.query<Row>(
      `SELECT id, kind, value, expr, category, scope FROM indicators
        WHERE kind = 'url' AND ${ACTIVE} AND expr = ANY($1::text[])
        ORDER BY length(expr) DESC, id LIMIT 1`,
      [exprs, now],
    );
    if (u.rows[0]) return toListing(u.rows[0], 'url');
  }

  const names = hostAndParents(host);
  const d = await db.query<Row>(
    `SELECT id, kind, value, expr, category, scope FROM indicators
      WHERE kind = 'domain' AND ${ACTIVE} AND (value = ANY($1::text[]) OR value = ANY($3::text[]))`,
    [names, now, names.map((n) => `*.${n}`)],
  );
  let best: { row: Row; depth: number } | undefined;
  for (const row of d.rows) {
    const wildcard = row.value.startsWith('*.');
    const name = wildcard ? row.value.slice(2) : row.value;
    const depth = names.indexOf(name);
    if (depth < 0) continue;
    const coversSubdomains = wildcard || row.scope === 'domain';
    if (depth > 0 && !coversSubdomains) continue;
    if (!best || depth < best.depth) best = { row, depth };
  }
  if (best) return toListing(best.row, 'domain');

  const p = await db.query<Row>(
    `SELECT id, kind, value, expr, category, scope FROM indicators
      WHERE kind = 'url' AND ${ACTIVE} AND (value LIKE $1 OR value LIKE $3)
      ORDER BY last_seen DESC, id LIMIT 1`,
    [`http://${likeEscape(host)}/%`, now, `https://${likeEscape(host)}/%`],
  );
  if (p.rows[0]) return toListing(p.rows[0], 'site-pages');
  return undefined;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toListing(r: Row, match: Listing['match']): Listing {
  return { match, indicatorId: Number(r.id), value: r.value, category: r.category };
}
