/**
 * The shared DNS policy model: which names and addresses are enforced, with which measure and action.
 * Built from the indicators table at a change-log serial; the policy DNS resolver (src/dns) and the
 * RPZ publisher (src/rpz) both read it from here so they never disagree.
 *
 * Mapping (indicators → entries), only `status = 'active'`:
 * - kind `domain`, scope `domain`      → trigger `qname`, wildcard true (the name and every subdomain);
 * - kind `domain`, any other scope     → trigger `qname`, wildcard false (that host only);
 * - kind `ip` / `cidr`                 → trigger `ip`, name a CIDR (an address becomes /32 or /128);
 * - kind `url`                         → skipped: not enforceable by DNS (the warning page and the
 *                                        lookup API handle URL-level listings).
 * Measure: category `c2` → `block-c2`, every other category → `warn-malicious-site`.
 * Action: `[dns.actions]` entry for the category, else for the measure, else the built-in default
 * (warn-malicious-site → warn, block-c2 → nxdomain).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { domainToASCII } from 'node:url';
import type { Config } from '../config/index.js';
import type { Queryable } from '../store/index.js';

export type PolicyAction = 'warn' | 'nxdomain' | 'nodata' | 'passthru' | 'drop';
export type PolicyMeasure = 'warn-malicious-site' | 'block-c2';

export interface PolicyEntry {
  /** qname: a domain name; ip: an answer address/CIDR (rpz-ip). */
  trigger: 'qname' | 'ip';
  /** Canonical lower-case domain without trailing dot, or a CIDR ('192.0.2.1/32', '2001:db8::/48'). */
  name: string;
  /** qname only: also covers every subdomain. */
  wildcard: boolean;
  /** c2 category → block-c2, everything else → warn-malicious-site. */
  measure: PolicyMeasure;
  /** From [dns.actions] per category, else per measure. */
  action: PolicyAction;
  category: string;
  indicatorId: number;
}

export interface PolicySnapshot {
  serial: number;
  entries: PolicyEntry[];
}

/**
 * A delta since a serial. Contract (id-based, deliberately simple):
 * - `removed` has one entry per indicator touched after `since` (whatever its state now — for a
 *   deleted row, an entry with `name: ''` carrying only `indicatorId`). A consumer drops EVERY entry
 *   it holds whose `indicatorId` is listed in `removed` (compare by indicatorId, not entryKey: the
 *   listing's scope or category may have changed since the consumer saw it);
 * - then adds `added`: the current enforceable entries of those indicators.
 * `applyPolicyChanges` does exactly this.
 */
export interface PolicyDelta {
  serial: number;
  added: PolicyEntry[];
  removed: PolicyEntry[];
}

const DEFAULT_ACTIONS: Record<PolicyMeasure, PolicyAction> = {
  'warn-malicious-site': 'warn',
  'block-c2': 'nxdomain',
};

/** The measure an indicator category is enforced under. */
export function measureForCategory(category: string): PolicyMeasure {
  return category === 'c2' ? 'block-c2' : 'warn-malicious-site';
}

/** The configured action for a category (a category entry in [dns.actions] wins over its measure's). */
export function actionFor(
  config: Pick<Config, 'dns'>,
  category: string,
  measure: PolicyMeasure,
): PolicyAction {
  const actions = (config.dns?.actions ?? {}) as Record<string, PolicyAction>;
  return actions[category] ?? actions[measure] ?? DEFAULT_ACTIONS[measure];
}

/** Identity of an entry for diffing: trigger, name, wildcard and the indicator it comes from. */
export function entryKey(e: PolicyEntry): string {
  return `${e.trigger}|${e.wildcard ? '*.' : ''}${e.name}|${e.indicatorId}`;
}

interface Row {
  id: string | number;
  kind: string;
  value: string;
  net: string | null;
  category: string;
  scope: string;
  status: string;
}

/** Canonical DNS name: lower case, no trailing dot, no leading `*.` (that is what `wildcard` says). */
export function canonicalName(name: string): string {
  let n = name.trim().toLowerCase();
  while (n.endsWith('.')) n = n.slice(0, -1);
  if (n.startsWith('*.')) n = n.slice(2);
  // IDNs are enforced in their A-label (punycode) form, which is what appears in DNS queries.
  if (/[^ -~]/.test(n)) n = domainToASCII(n) || n;
  return n;
}

function toEntry(r: Row, config: Pick<Config, 'dns'>): PolicyEntry | null {
  if (r.status !== 'active') return null;
  const measure = measureForCategory(r.category);
  const base = {
    measure,
    action: actionFor(config, r.category, measure),
    category: r.category,
    indicatorId: Number(r.id),
  };
  if (r.kind === 'domain') {
    const wildcard = r.scope === 'domain' || r.value.trim().startsWith('*.');
    const name = canonicalName(r.value);
    if (!name) return null;
    return { trigger: 'qname', name, wildcard, ...base };
  }
  if (r.kind === 'ip' || r.kind === 'cidr') {
    let name = (r.net ?? r.value).trim().toLowerCase();
    if (!name.includes('/')) name += name.includes(':') ? '/128' : '/32';
    return { trigger: 'ip', name, wildcard: false, ...base };
  }
  return null; // url: not DNS-enforceable
}

const COLUMNS = `i.id, i.kind, i.value, i.net::text AS net, i.category, i.scope, i.status`;

/** Rows per page of loadPolicy (see there). */
export const POLICY_PAGE_ROWS = 1000;

/**
 * Every active enforceable indicator, as of at least change-log serial `serial`.
 *
 * Read in pages by id, not in one statement: the embedded store (PGlite) executes a query in this
 * thread, and one statement over 100k rows held the event loop for 1.3 s — a resolver reloading its
 * policy stopped answering for that long (queries lost at 1M). A page of 1000 rows holds it for
 * about 15 ms. Consistency: the serial is read first, so a change committed while the pages are read
 * has a higher serial and may or may not be in the pages; a consumer applies the delta since `serial`
 * next, and deltas are idempotent (see PolicyDelta), so it converges on the same state either way.
 */
export async function loadPolicy(
  db: Queryable,
  config: Pick<Config, 'dns'>,
  pageRows = POLICY_PAGE_ROWS,
): Promise<PolicySnapshot> {
  const serial = await currentSerial(db);
  const entries: PolicyEntry[] = [];
  for (let after = 0; ; ) {
    const res = await db.query<Row>(
      `SELECT ${COLUMNS} FROM indicators i
        WHERE i.id > $1 AND i.status = 'active' AND i.kind IN ('domain', 'ip', 'cidr')
        ORDER BY i.id LIMIT ${pageRows}`,
      [after],
    );
    for (const r of res.rows) {
      const e = toEntry(r, config);
      if (e) entries.push(e);
    }
    if (res.rows.length < pageRows) break;
    after = Number(res.rows[res.rows.length - 1].id);
    // between pages the event loop answers what queued meanwhile (PostgreSQL needs no help here:
    // its rows arrive as I/O)
    await nextTurn();
  }
  return { serial, entries };
}

/** The current change-log serial (0 when empty). Cheap: what pollers call every few seconds. */
export async function currentSerial(db: Queryable): Promise<number> {
  const res = await db.query<{ serial: string | number }>(
    'SELECT coalesce(max(serial), 0) AS serial FROM change_log',
  );
  return Number(res.rows[0].serial);
}

/**
 * What changed after `serial` (see PolicyDelta for the contract). Returns null when `serial` is
 * unknown to this database (ahead of it, or older than the oldest change kept): reload fully.
 */
export async function policyChangesSince(
  db: Queryable,
  serial: number,
  config: Pick<Config, 'dns'>,
  pageRows = POLICY_PAGE_ROWS,
): Promise<PolicyDelta | null> {
  const bounds = await db.query<{ lo: string | number | null; hi: string | number | null }>(
    'SELECT min(serial) AS lo, max(serial) AS hi FROM change_log',
  );
  const lo = bounds.rows[0].lo === null ? null : Number(bounds.rows[0].lo);
  const hi = bounds.rows[0].hi === null ? 0 : Number(bounds.rows[0].hi);
  if (serial > hi) return null;
  if (serial === hi) return { serial, added: [], removed: [] };
  if (lo !== null && serial < lo - 1) return null; // older changes were pruned
  // Ids touched in (serial, hi], with the current row (if any) and the last logged state; read in
  // serial ranges of `pageRows` for the same reason loadPolicy reads in pages (one statement
  // over a 10k-change delta held PGlite's thread for 180 ms). A later range's row for an id replaces
  // an earlier one: its logged state is the newer. The join compares ids as numbers so that it is an
  // index lookup per touched id (comparing as text scanned the whole table for each range).
  const touched = new Map<string, Row & { entity_id: string; state: Record<string, unknown> | null }>();
  for (let from = serial; from < hi; from += pageRows) {
    if (from > serial) await nextTurn();
    const res = await db.query<Row & { entity_id: string; state: Record<string, unknown> | null }>(
      `WITH t AS (
         SELECT DISTINCT ON (entity_id) entity_id, state
           FROM change_log
          WHERE entity = 'indicator' AND serial > $1 AND serial <= $2
          ORDER BY entity_id, serial DESC)
       SELECT t.entity_id, t.state, ${COLUMNS}
         FROM t LEFT JOIN indicators i
           ON i.id = CASE WHEN t.entity_id ~ '^[0-9]{1,18}$' THEN t.entity_id::bigint END`,
      [from, Math.min(hi, from + pageRows)],
    );
    for (const r of res.rows) touched.set(r.entity_id, r);
  }
  const added: PolicyEntry[] = [];
  const removed: PolicyEntry[] = [];
  for (const r of touched.values()) {
    const id = Number(r.entity_id);
    if (!Number.isFinite(id)) continue;
    if (r.id === null || r.id === undefined) {
      // The row is gone: describe it from the logged state when it says enough, else by id only.
      const st = r.state ?? {};
      const guess =
        typeof st.kind === 'string' && typeof st.value === 'string'
          ? toEntry(
              {
                id,
                kind: st.kind,
                value: st.value,
                net: null,
                category: String(st.category ?? ''),
                scope: String(st.scope ?? ''),
                status: 'active',
              },
              config,
            )
          : null;
      if (st.kind === 'url') continue;
      removed.push(
        guess ?? {
          trigger: 'qname',
          name: '',
          wildcard: false,
          measure: 'warn-malicious-site',
          action: 'warn',
          category: '',
          indicatorId: id,
        },
      );
      continue;
    }
    if (r.kind === 'url') continue;
    const current = toEntry(r, config);
    removed.push(current ?? (toEntry({ ...r, status: 'active' }, config) as PolicyEntry));
    if (current) added.push(current);
  }
  return { serial: hi, added, removed };
}

/** Applies a delta to a snapshot by the PolicyDelta contract (drop by indicatorId, then add). */
export function applyPolicyChanges(snapshot: PolicySnapshot, delta: PolicyDelta): PolicySnapshot {
  const drop = new Set(delta.removed.map((e) => e.indicatorId));
  const entries = snapshot.entries.filter((e) => !drop.has(e.indicatorId));
  entries.push(...delta.added);
  return { serial: delta.serial, entries };
}
