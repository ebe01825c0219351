import { performance } from 'node:perf_hooks';
import type { AppContext } from '../app/index.js';
import {
  AUDIT_WORKER_MIN,
  type AuditEvent,
  type AuditWorker,
  appendAuditBatch,
  startAuditWorker,
} from '../audit/index.js';
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

/**
 * Class of the per-measure advisory lock an attribution batch holds (key: hashtext(measure)). The
 * evidence delete trigger of migration 0312 takes it too, so a purge waits for a running batch.
 */
export const ATTRIBUTION_LOCK = 7235310;

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
 * identity goes into `attributions` only); none or several → unattributed with the reason.
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
  let dequeued = 0;
  const pending = await ctx.store.query<{ measure: string; n: string; hi: string }>(
    `SELECT measure, count(*) AS n, max(evidence_id) AS hi FROM attribution_queue ${opts.measure ? 'WHERE measure = $1' : ''}
      GROUP BY measure ORDER BY measure`,
    opts.measure ? [opts.measure] : [],
  );
  const rules = await loadRules(ctx.store);
  const skew = ctx.config.attribution.clock_skew_seconds;
  for (const { measure, n, hi } of pending.rows) {
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
    // The rows counted above, in batches. The last batch (often the only one) is "queued, id ≤ the
    // highest counted": no query to find its bound.
    let left = count;
    while (left > 0) {
      const size = Math.min(ctx.config.attribution.batch_size, left);
      // (only when this run takes every row counted: under a `limit` the bound would take them all)
      const last = size === left && count === Number(n) ? String(hi) : undefined;
      // A large batch's audit records are hashed in a worker thread, started now so that its
      // start-up overlaps the matching (see appendAuditBatch).
      const auditWorker = size >= AUDIT_WORKER_MIN ? startAuditWorker() : undefined;
      const done = await ctx.store
        .transaction((tx) =>
          attributeBatch(ctx, tx, { measure, legalBasis, size, last, skew, rules, actor, auditWorker }),
        )
        .finally(() => auditWorker?.close());
      if (done.processed === 0) break;
      dequeued += done.processed;
      remaining -= done.processed;
      left -= done.processed;
      report.attributed += done.attributed;
      report.subscribers += done.subscribers;
      for (const [reason, k] of Object.entries(done.unattributed)) add(reason as UnattributedReason, k);
      if (done.processed < size) break;
    }
  }
  // The embedded store has no autovacuum: without this, every batch taken off the queue would leave
  // its rows behind as dead versions that the next run's scans read again. (A server's autovacuum
  // does this there.)
  const tv = performance.now();
  if (dequeued > 0 && ctx.store.kind === 'pglite') await ctx.store.exec('VACUUM attribution_queue');
  ctx.log.info({ ...report, queue_vacuum_ms: Math.round(performance.now() - tv) }, 'attribution run');
  return report;
}

function ascending(list: number[]): boolean {
  for (let k = 1; k < list.length; k++) if (list[k - 1] > list[k]) return false;
  return true;
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

/**
 * The candidate assignments of the evidence row `ev` (columns key, seen_at, win, pre; skew $6), as
 * a UNION ALL of index probes, two per prefix length in use (assignment_prefix_lengths): "prefix
 * contains the key" is equality with the key cut to that length, and "interval overlaps the
 * window" is a range on lower(during) bounded by the longest closed interval of that length, plus
 * — only for evidence later than the earliest open interval's start plus that bound — a probe of
 * the open / since-ever intervals (the bounded range already finds the later ones; a row found by
 * both is harmless, the aggregates over candidates do not count duplicates). `lengths` are those of
 * one address family (the caller runs one branch per family). Measured on 1M evidence vs 10M
 * intervals (PGlite), one probe ~5-10 µs; the GiST (prefix inet_ops, during) one took ~0.9 ms.
 */
function probeSql(
  lengths: Array<{ family: number; len: number; maxlen: number; open: number | null }>,
  select: string,
  where: string,
): string {
  const parts: string[] = [];
  for (const l of lengths) {
    const family = Number(l.family);
    const len = Number(l.len);
    const maxlen = Number(l.maxlen);
    if (![family, len, maxlen].every(Number.isSafeInteger))
      throw new Error('bad assignment_prefix_lengths row');
    const on = `masklen(ev.key) >= ${len}
                AND a.prefix = network(set_masklen(ev.key::inet, ${len}))::cidr AND a.during && ev.win AND ${where}`;
    parts.push(`SELECT ${select} FROM assignments a WHERE ${on}
                  AND lower(a.during) >= ev.seen_at - make_interval(secs => $6 + ${maxlen})
                  AND lower(a.during) <= ev.seen_at + make_interval(secs => $6)`);
    if (l.open === null) continue; // no open or since-ever interval of this length
    // A second early (the epoch arrives as a float): never later than the true start.
    const open = Math.floor(Number(l.open)) - 1;
    const after = Number.isFinite(open)
      ? `AND ev.seen_at - make_interval(secs => $6 + ${maxlen}) > to_timestamp(${open})`
      : '';
    parts.push(`SELECT ${select} FROM assignments a WHERE ${on} ${after}
                  AND (upper_inf(a.during) OR lower_inf(a.during))`);
  }
  if (parts.length === 0) return `SELECT ${select} FROM assignments a WHERE false`;
  return parts.join('\n UNION ALL\n');
}

/** The verdicts of the evidence rows of one address family (see attributeBatch). */
function verdictSql(
  family: number,
  probe: (family: number, select: string, where: string) => string,
): string {
  return `SELECT ev.id, h.lo AS sub,
              CASE
                WHEN ev.port IS NULL THEN
                  CASE WHEN h.n = 0 THEN 'no-assignment' WHEN h.shared THEN 'port-missing'
                       WHEN h.lo IS NULL THEN 'no-assignment' WHEN h.lo <> h.hi THEN 'ambiguous' END
                WHEN h.lo IS NULL THEN
                  CASE WHEN EXISTS (${probe(family, '1', 'a.port_range IS NOT NULL')}) THEN 'no-assignment-for-port'
                       ELSE 'no-assignment' END
                WHEN h.lo <> h.hi THEN 'ambiguous'
              END AS reason
         FROM ev CROSS JOIN LATERAL (
           SELECT count(*) AS n, bool_or(c.port_range IS NOT NULL) AS shared,
                  min(c.subscriber_id) FILTER (WHERE c.port_range IS NULL OR c.port_range @> ev.port) AS lo,
                  max(c.subscriber_id) FILTER (WHERE c.port_range IS NULL OR c.port_range @> ev.port) AS hi
             FROM (${probe(
               family,
               'a.subscriber_id, a.port_range',
               `coalesce(lower(a.port_range), -1) <= ev.plo AND coalesce(upper(a.port_range), 65536) > ev.phi
                AND (ev.port IS NULL OR a.port_range IS NULL OR a.port_range @> ev.port)`,
             )}) c
         ) h
        WHERE ev.pre IS NULL AND family(ev.key) = ${family}`;
}

interface BatchArgs {
  measure: string;
  legalBasis: string;
  size: number;
  /** Set for the last batch of the rows counted: take every pending row with an id up to this. */
  last?: string;
  skew: number;
  rules: MapRule[];
  actor: string;
  auditWorker?: AuditWorker;
}

async function attributeBatch(ctx: AppContext, tx: Queryable, a: BatchArgs) {
  const now = ctx.clock.now();
  const t0 = performance.now();
  // Two runs at once (serve's schedule and a CLI run) take turns per measure, so no evidence row is
  // attributed — and audited — twice.
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ATTRIBUTION_LOCK, a.measure]);
  // The batch: the oldest `size` pending rows of the measure, fixed by their highest id.
  let hi = a.last;
  if (hi === undefined) {
    const bound = await tx.query<{ hi: string | null }>(
      `SELECT max(evidence_id) AS hi FROM (
         SELECT evidence_id FROM attribution_queue WHERE measure = $1 ORDER BY evidence_id LIMIT $2) b`,
      [a.measure, a.size],
    );
    hi = bound.rows[0]?.hi ?? undefined;
  }
  if (hi === null || hi === undefined)
    return { processed: 0, attributed: 0, subscribers: 0, unattributed: {} };

  // MAP-E: IPv4 evidence inside a rule's IPv4 prefix is looked up by the CE's IPv6 prefix instead.
  const mapeIds: string[] = [];
  const mapeKeys: Array<string | null> = [];
  const mapeReasons: Array<string | null> = [];
  if (a.rules.length > 0) {
    const m = await tx.query<{ id: string; addr: string; port: number | null; rule: string }>(
      `SELECT q.evidence_id AS id, host(q.addr) AS addr, q.port, r.ipv4_prefix::text AS rule
         FROM attribution_queue q JOIN mape_rules r ON r.ipv4_prefix >>= q.addr
        WHERE q.measure = $1 AND q.evidence_id <= $2`,
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

  // Larger sorts and materialized sets stay in memory (the embedded store's default is 4 MB).
  await tx.query(`SET LOCAL work_mem = '128MB'`);
  const lengths = await tx.query<{ family: number; len: number; maxlen: number; open: number | null }>(
    `SELECT family, len, max_closed_secs AS maxlen, extract(epoch FROM min_open_lower)::float8 AS open
       FROM assignment_prefix_lengths ORDER BY family, len`,
  );
  const families = new Set(lengths.rows.map((l) => Number(l.family)).filter((f) => f === 4 || f === 6));
  const probe = (family: number, select: string, where: string) =>
    probeSql(
      lengths.rows.filter((l) => Number(l.family) === family),
      select,
      where,
    );

  // The verdicts are computed first, probing the evidence in (address, time) order so that the
  // probes walk the assignment index in its own order (1M evidence vs 10M intervals on the
  // embedded store: 104 s in id order, 25 s in address order); then, in this same statement (one
  // snapshot), they are appended to `attributions` in evidence-id order and the batch leaves the
  // queue. A concurrent run of the measure waits on the advisory lock above.
  const r = await tx.query<{
    processed: string;
    unattributed: string | null;
    subscribers: string | null;
    ids: string | null;
  }>(
    `WITH ev AS (
       SELECT id, key, port, seen_at, pre,
              coalesce(port, 65535) AS plo, coalesce(port, -1) AS phi,
              tstzrange(seen_at - make_interval(secs => $6), seen_at + make_interval(secs => $6), '[]') AS win
         FROM (
           SELECT q.evidence_id AS id, q.addr::cidr AS key, q.port, q.seen_at, NULL::text AS pre
             FROM attribution_queue q
            WHERE q.measure = $1 AND q.evidence_id <= $2 AND NOT (q.evidence_id = ANY($3::bigint[]))
           UNION ALL
           SELECT q.evidence_id, m.key, NULL::integer, q.seen_at, m.pre
             FROM unnest($3::bigint[], $4::cidr[], $5::text[]) AS m(id, key, pre)
             JOIN attribution_queue q ON q.measure = $1 AND q.evidence_id = m.id
         ) x
        ORDER BY key, seen_at
     ),
     -- Per evidence row, its candidates (rules in docs/attribution.md): where the evidence has a
     -- port, only unshared intervals and the blocks holding the port; without one, all of them.
     -- One branch per address family, so that a row runs only the probes of its own family.
     verdict AS MATERIALIZED (
       ${[...families].map((f) => verdictSql(f, probe)).join('\n UNION ALL\n')}
       ${families.size ? 'UNION ALL' : ''}
       SELECT ev.id, NULL::text AS sub, coalesce(ev.pre, 'no-assignment') AS reason FROM ev
        WHERE ev.pre IS NOT NULL ${families.size ? `OR family(ev.key) <> ALL ('{${[...families].join(',')}}'::int[])` : 'OR true'}
       ORDER BY id
     ),
     -- In id order (as materialized above), so that the primary key grows at its right edge.
     saved AS (
       INSERT INTO attributions (evidence_id, subscriber_id, unattributed_reason, attributed_at)
       SELECT id, CASE WHEN reason IS NULL THEN sub END, reason, $7 FROM verdict
     ),
     dequeued AS (
       DELETE FROM attribution_queue WHERE measure = $1 AND evidence_id <= $2
     )
     SELECT (SELECT count(*) FROM verdict) AS processed,
            (SELECT json_object_agg(reason, n) FROM (
               SELECT reason, count(*) AS n FROM verdict WHERE reason IS NOT NULL GROUP BY 1) c)::text AS unattributed,
            m.subscribers, m.ids
       -- The attributed pairs as two parallel JSON arrays (one scan, so one order), grouped per
       -- subscriber in JS: grouping here (array_agg per subscriber) cost ~1.2 s more of the
       -- 1M-evidence benchmark on the embedded store, and sorting by subscriber ~2.5 s.
       FROM (SELECT json_agg(sub)::text AS subscribers, json_agg(id)::text AS ids
               FROM verdict WHERE reason IS NULL) m`,
    [a.measure, hi, mapeIds, mapeKeys, mapeReasons, a.skew, now],
  );

  const t1 = performance.now();
  const row = r.rows[0];
  const subs = JSON.parse(row.subscribers ?? '[]') as string[];
  const ids = JSON.parse(row.ids ?? '[]') as number[];
  const groups = new Map<string, number[]>();
  for (let k = 0; k < subs.length; k++) {
    const list = groups.get(subs[k]);
    if (list) list.push(ids[k]);
    else groups.set(subs[k], [ids[k]]);
  }
  // Audit records in subscriber order (the default sort: UTF-16 code units, ~3× faster than a
  // comparator here), each naming its evidence in id order — which the lists already are when the
  // verdicts come back in id order, as materialized; sorted only if not.
  const audits: AuditEvent[] = [...groups.keys()].sort().map((subscriber) => {
    const list = groups.get(subscriber)!;
    return {
      actor: a.actor,
      action: 'attribution.match',
      outcome: 'done',
      measure: a.measure,
      legalBasis: a.legalBasis,
      subject: `subscriber:${subscriber}`,
      details: { evidence: ascending(list) ? list : list.sort((x, y) => x - y) },
    };
  });
  const t2 = performance.now();
  const out = {
    processed: Number(row.processed),
    attributed: ids.length,
    subscribers: audits.length,
    unattributed: JSON.parse(row.unattributed ?? '{}') as Record<string, number>,
  };
  await appendAuditBatch(tx, audits, ctx.clock, { worker: a.auditWorker });
  ctx.log.debug(
    {
      measure: a.measure,
      rows: out.processed,
      join_ms: Math.round(t1 - t0),
      group_ms: Math.round(t2 - t1),
      audit_ms: Math.round(performance.now() - t2),
    },
    'attribution batch',
  );
  return out;
}
