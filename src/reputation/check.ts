import type { AppContext } from '../app/index.js';
import { canonicalUrl, classify, isIpHost, urlExpressions, urlHost } from '../canon/index.js';
import type { Queryable } from '../store/index.js';
import type { IndicatorStatus, Scope } from './types.js';

export interface MatchedIndicator {
  id: number;
  kind: string;
  value: string;
  category: string;
  status: IndicatorStatus;
  scope: Scope;
  scope_reason: string | null;
  confidence: number;
  first_seen: string;
  last_seen: string;
  expires_at: string | null;
  sources: string[];
}

export interface Match {
  /** The expression, name or address of the input that matched. */
  via: string;
  /** url-expression | host | parent-domain | address | network */
  how: 'url-expression' | 'host' | 'parent-domain' | 'address' | 'network';
  indicator: MatchedIndicator;
}

export interface Verdict {
  input: string;
  kind: 'url' | 'domain' | 'ip' | 'cidr';
  canonical: string;
  /** True when an active listing matches (what DNS / the warning page would enforce). */
  listed: boolean;
  matches: Match[];
}

/** Host itself and each parent with at least two labels: a.b.evil.com → [a.b.evil.com, b.evil.com, evil.com]. */
export function hostAndParents(host: string): string[] {
  const out = [host];
  let n = host;
  for (;;) {
    const dot = n.indexOf('.');
    if (dot < 0) break;
    n = n.slice(dot + 1);
    if (!n.includes('.')) break;
    out.push(n);
  }
  return out;
}

const IND_COLS = `i.id, i.kind, i.value, i.expr, i.category, i.status, i.scope, i.scope_reason, i.confidence,
  to_char(i.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_seen,
  to_char(i.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_seen,
  to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_at,
  coalesce((SELECT array_agg(s.name ORDER BY s.name) FROM observations o JOIN sources s ON s.id = o.source_id
            WHERE o.indicator_id = i.id), '{}') AS sources`;

/**
 * The verdict for a URL, domain or IP/CIDR, from the store: every listing that covers it and how.
 * URL → its Safe Browsing expressions against URL listings, its host against host/domain listings
 * (parents only through scope 'domain'), an IP host against addresses and networks;
 * domain → itself and parents likewise; IP → the address and every network containing it.
 */
export async function check(ctx: AppContext | { store: Queryable }, value: string): Promise<Verdict> {
  const db = ctx.store;
  const c = classify(value.trim());
  const kind = c.kind as Verdict['kind'];
  let exprs: string[] = [];
  let names: string[] = [];
  let addr: string | null = null;
  let canonical = c.value;
  if (kind === 'url') {
    canonical = canonicalUrl(value.trim());
    exprs = urlExpressions(canonical);
    const host = urlHost(canonical);
    if (isIpHost(host)) addr = host.replace(/^\[|\]$/g, '');
    else names = hostAndParents(host);
  } else if (kind === 'domain') {
    names = hostAndParents(canonical);
  } else {
    addr = canonical;
  }
  const r = await db.query<MatchedIndicator & { expr: string | null }>(
    `SELECT ${IND_COLS} FROM indicators i
      WHERE (i.kind = 'url' AND i.expr = ANY($1::text[]))
         OR (i.kind = 'domain' AND i.value = ANY($2::text[]))
         OR ($3::text IS NOT NULL AND i.kind IN ('ip', 'cidr') AND i.net >>= $3::inet)
      ORDER BY i.id`,
    [exprs, names, addr],
  );
  const matches: Match[] = [];
  for (const row of r.rows) {
    const { expr, ...indicator } = row;
    indicator.confidence = Number(Number(indicator.confidence).toFixed(4));
    if (row.kind === 'url') matches.push({ via: expr!, how: 'url-expression', indicator });
    else if (row.kind === 'domain') {
      if (row.value === names[0]) matches.push({ via: row.value, how: 'host', indicator });
      else if (row.scope === 'domain') matches.push({ via: names[0], how: 'parent-domain', indicator });
    } else {
      matches.push({ via: addr!, how: row.kind === 'ip' ? 'address' : 'network', indicator });
    }
  }
  return {
    input: value,
    kind,
    canonical,
    listed: matches.some((m) => m.indicator.status === 'active'),
    matches,
  };
}
