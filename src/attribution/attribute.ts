import { performance } from 'node:perf_hooks';
import type { AppContext } from '../app/index.js';
import { type AuditEvent, appendAuditBatch } from '../audit/index.js';
import { YojinError } from '../errors/index.js';
import { type MapRule, mapeEndUserPrefix } from '../pipeline/assignments/index.js';
import type { Queryable } from '../store/index.js';

/** Why evidence was not attributed. Attribution never guesses: each is a refusal. */
export const UNATTRIBUTED_REASONS = [
  'no-assignment', // nobody held the address (prefix) at that time, even with the clock-skew tolerance
  'port-missing', // the address is shared (CGNAT port blocks, MAP-E) and the evidence has no source port
  'no-assignment-for-port', // the address is shared and no port block holds that port then
  'mape-port-not-allocated', // MAP-E: the port is in the excluded range (first offset bits zero)
  'ambiguous', // several subscribers held it in the window (reassignment within the skew, overlaps)
  'no-legal-basis', // the measure may not attribute (disabled, or may not touch evidence/assignments); left pending
] as const;
export type UnattributedReason = (typeof UNATTRIBUTED_REASONS)[number];

export interface AttributeOptions {
  /** Most evidence rows to process in this run (default: all pending). */
  limit?: number;
  /** Only this measure's evidence. */
  measure?: string;
  actor?: string;
}

export interface AttributionReport {
  attributed: number;
  unattributed: Partial<Record<UnattributedReason, number>>;
  /** Distinct subscribers attributed (one audit record each per batch). */
  subscribers: number;
}

/**
 * Attributes pending evidence to subscribers: evidence address (or, for MAP-E addresses, the
 * end-user IPv6 prefix derived from address and port) within an assignment's prefix, the
 * assignment's interval overlapping seen_at ± clock skew, and — where the address is shared — the
 * port inside the assignment's port block. Exactly one candidate subscriber → attributed (the
 * identity goes into evidence.subscriber_id only); none or several → unattributed with the reason.
 *
 * Each measure's gate is asked first (audited); a measure that may not attribute leaves its
 * evidence pending. The matching is one set-based join per batch; each attributed subscriber gets
 * one `attribution.match` audit record naming the evidence ids, written in the same transaction.
 */
export async function attributePending(
  ctx: AppContext,
  opts: AttributeOptions = {},
): Promise<AttributionReport> {
  const actor = opts.actor ?? 'worker:attribution';
  const report: AttributionReport = { attributed: 0, unattributed: {}, subscribers: 0 };
  const add = (reason: UnattributedReason, n: number) => {
    if (n > 0) report.unattributed[reason] = (report.unattributed[reason] ?? 0) + n;
  };
  let remaining = opts.limit ?? Number.POSITIVE_INFINITY;
  const pending = await ctx.store.query<{ measure: string; n: string }>(
    `SELECT measure, count(*) AS n FROM evidence WHERE attributed_at IS NULL ${opts.measure ? 'AND measure = $1' : ''}
      GROUP BY measure ORDER BY measure`,
    opts.measure ? [opts.measure] : [],
  );
  const rules = await loadRules(ctx.store);
  const skew = ctx.config.attribution.clock_skew_seconds;
  for (const { measure, n } of pending.rows) {
    if (remaining <= 0) break;
    const count = Math.min(Number(n), remaining);
    try {
      await ctx.gate.authorize({
        measure,
        data: ['evidence', 'assignment'],
        actor,
        action: 'attribution.run',
        subject: `measure:${measure}`,
        details: { pending: Number(n), clock_skew_seconds: skew },
      });
    } catch (err) {
      // Refused (403), or a measure the registry no longer knows: either way no basis to attribute.
      if (err instanceof YojinError && (err.status === 403 || err.code === 'MEASURE_UNKNOWN')) {
        add('no-legal-basis', count);
        remaining -= count;
        ctx.log.warn(
          { measure, reason: err.message },
          'attribution refused: the measure has no legal basis for it',
        );
        continue;
      }
      throw err;
    }
    const legalBasis = ctx.measures.get(measure).legalBasis;
    for (;;) {
      if (remaining <= 0) break;
      const size = Math.min(ctx.config.attribution.batch_size, remaining);
      const done = await ctx.store.transaction((tx) =>
        attributeBatch(ctx, tx, { measure, legalBasis, size, skew, rules, actor }),
      );
      if (done.processed === 0) break;
      remaining -= done.processed;
      report.attributed += done.attributed;
      report.subscribers += done.subscribers;
      for (const [reason, k] of Object.entries(done.unattributed)) add(reason as UnattributedReason, k);
      if (done.processed < size) break;
    }
  }
  ctx.log.info({ ...report }, 'attribution run');
  return report;
}

async function loadRules(db: Queryable): Promise<MapRule[]> {
  const r = await db.query<{
    name: string;
    ipv6_prefix: string;
    ipv4_prefix: string;
    ea_bits: number;
    psid_offset: number;
  }>('SELECT name, ipv6_prefix::text, ipv4_prefix::text, ea_bits, psid_offset FROM mape_rules');
  return r.rows.map((x) => ({
    name: x.name,
    ipv6Prefix: x.ipv6_prefix,
    ipv4Prefix: x.ipv4_prefix,
    eaBits: x.ea_bits,
    psidOffset: x.psid_offset,
  }));
}

interface BatchArgs {
  measure: string;
  legalBasis: string;
  size: number;
  skew: number;
  rules: MapRule[];
  actor: string;
}

async function attributeBatch(ctx: AppContext, tx: Queryable, a: BatchArgs) {
  const now = ctx.clock.now();
  const t0 = performance.now();
  // Two runs at once (serve's schedule and a CLI run) take turns per measure, so no evidence row is
  // attributed — and audited — twice.
  await tx.query('SELECT pg_advisory_xact_lock(7235310, hashtext($1))', [a.measure]);
  // The batch: the oldest `size` pending rows of the measure, fixed by their highest id.
  const bound = await tx.query<{ hi: string | null; n: string }>(
    `SELECT max(id) AS hi, count(*) AS n FROM (
       SELECT id FROM evidence WHERE measure = $1 AND attributed_at IS NULL ORDER BY id LIMIT $2) b`,
    [a.measure, a.size],
  );
  const hi = bound.rows[0]?.hi;
  if (hi === null || hi === undefined)
    return { processed: 0, attributed: 0, subscribers: 0, unattributed: {} };

  // MAP-E: IPv4 evidence inside a rule's IPv4 prefix is looked up by the CE's IPv6 prefix instead.
  const mapeIds: string[] = [];
  const mapeKeys: Array<string | null> = [];
  const mapeReasons: Array<string | null> = [];
  if (a.rules.length > 0) {
    const m = await tx.query<{ id: string; addr: string; port: number | null; rule: string }>(
      `SELECT e.id, host(e.addr) AS addr, e.port, r.ipv4_prefix::text AS rule
         FROM evidence e JOIN mape_rules r ON r.ipv4_prefix >>= e.addr
        WHERE e.measure = $1 AND e.attributed_at IS NULL AND e.id <= $2`,
      [a.measure, hi],
    );
    const byV4 = new Map(a.rules.map((r) => [r.ipv4Prefix, r]));
    for (const row of m.rows) {
      const res = mapeEndUserPrefix(byV4.get(row.rule)!, row.addr, row.port);
      mapeIds.push(String(row.id));
      mapeKeys.push(res.ok ? res.prefix : null);
      mapeReasons.push(res.ok ? null : res.reason === 'not-in-rule' ? 'no-assignment' : res.reason);
    }
  }

  const r = await tx.query<{
    subscriber_id: string | null;
    reason: string | null;
    n: string;
    ids: Array<string | number> | null;
  }>(
    `WITH ev AS (
       SELECT e.id, e.addr::cidr AS key, e.port, e.seen_at, NULL::text AS pre
         FROM evidence e
        WHERE e.measure = $1 AND e.attributed_at IS NULL AND e.id <= $2 AND NOT (e.id = ANY($3::bigint[]))
       UNION ALL
       SELECT e.id, m.key, NULL::integer, e.seen_at, m.pre
         FROM unnest($3::bigint[], $4::cidr[], $5::text[]) AS m(id, key, pre) JOIN evidence e ON e.id = m.id
     ),
     -- a.prefix >>= key as equality per prefix length in use; the time window as a bounded range
     -- on lower(during) (closed intervals) or through the partial index (open / since-ever ones).
     probe AS MATERIALIZED (
       SELECT ev.id, ev.port, ev.seen_at, network(set_masklen(ev.key::inet, l.len))::cidr AS net,
              l.max_closed_secs AS maxlen,
              tstzrange(ev.seen_at - make_interval(secs => $6), ev.seen_at + make_interval(secs => $6), '[]') AS win
         FROM ev JOIN assignment_prefix_lengths l ON l.family = family(ev.key) AND l.len <= masklen(ev.key)
        WHERE ev.pre IS NULL
     ),
     -- LATERAL … OFFSET 0 keeps these as per-probe index scans: left to itself, the planner may hash
     -- all assignments and then filter every interval of an address against every probe. The overlap
     -- is written as an intersection, not &&, so that the planner does not pick the (slower, see
     -- migration 0310) GiST index for it.
     hit AS MATERIALIZED (
       SELECT p.id, p.port, a.subscriber_id, a.port_range
         FROM probe p CROSS JOIN LATERAL (
           SELECT a.subscriber_id, a.port_range FROM assignments a
            WHERE a.prefix = p.net
              AND lower(a.during) >= p.seen_at - make_interval(secs => $6 + p.maxlen)
              AND lower(a.during) <= p.seen_at + make_interval(secs => $6)
              AND NOT upper_inf(a.during) AND NOT isempty(a.during * p.win)
           UNION ALL
           SELECT a.subscriber_id, a.port_range FROM assignments a
            WHERE a.prefix = p.net AND (upper_inf(a.during) OR lower_inf(a.during)) AND NOT isempty(a.during * p.win)
           OFFSET 0) a
     ),
     cand AS (
       SELECT h.id, h.subscriber_id, h.port_range IS NOT NULL AS shared,
              (h.port IS NOT NULL AND h.port_range @> h.port) AS port_ok
         FROM hit h
     ),
     verdict AS (
       SELECT ev.id,
              CASE
                WHEN ev.pre IS NOT NULL THEN ev.pre
                WHEN count(c.id) = 0 THEN 'no-assignment'
                WHEN bool_or(c.shared) AND ev.port IS NULL THEN 'port-missing'
                WHEN count(DISTINCT c.subscriber_id) FILTER (WHERE NOT c.shared OR c.port_ok) = 0 THEN
                  CASE WHEN bool_or(c.shared) THEN 'no-assignment-for-port' ELSE 'no-assignment' END
                WHEN count(DISTINCT c.subscriber_id) FILTER (WHERE NOT c.shared OR c.port_ok) > 1 THEN 'ambiguous'
              END AS reason,
              min(c.subscriber_id) FILTER (WHERE NOT c.shared OR c.port_ok) AS sub
         FROM ev LEFT JOIN cand c ON c.id = ev.id
        GROUP BY ev.id, ev.pre, ev.port
     ),
     upd AS (
       UPDATE evidence e
          SET attributed_at = $7,
              subscriber_id = CASE WHEN v.reason IS NULL THEN v.sub END,
              unattributed_reason = v.reason
         FROM verdict v
        WHERE e.id = v.id
       RETURNING e.id, e.subscriber_id, e.unattributed_reason
     )
     SELECT subscriber_id, unattributed_reason AS reason, count(*) AS n,
            CASE WHEN subscriber_id IS NOT NULL THEN array_agg(id ORDER BY id) END AS ids
       FROM upd GROUP BY subscriber_id, unattributed_reason`,
    [a.measure, hi, mapeIds, mapeKeys, mapeReasons, a.skew, now],
  );

  const t1 = performance.now();
  const out = { processed: 0, attributed: 0, subscribers: 0, unattributed: {} as Record<string, number> };
  const audits: AuditEvent[] = [];
  for (const row of r.rows) {
    const n = Number(row.n);
    out.processed += n;
    if (row.subscriber_id !== null) {
      out.attributed += n;
      out.subscribers++;
      audits.push({
        actor: a.actor,
        action: 'attribution.match',
        outcome: 'done',
        measure: a.measure,
        legalBasis: a.legalBasis,
        subject: `subscriber:${row.subscriber_id}`,
        details: { evidence: (row.ids ?? []).map(Number) },
      });
    } else {
      const reason = row.reason ?? 'no-assignment';
      out.unattributed[reason] = (out.unattributed[reason] ?? 0) + n;
    }
  }
  await appendAuditBatch(tx, audits, ctx.clock);
  ctx.log.debug(
    {
      measure: a.measure,
      rows: out.processed,
      join_ms: Math.round(t1 - t0),
      audit_ms: Math.round(performance.now() - t1),
    },
    'attribution batch',
  );
  return out;
}
