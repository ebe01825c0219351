import type { AppContext } from '../../app/index.js';
import { appendAudit } from '../../audit/index.js';
import { YojinError } from '../../errors/index.js';
import type { Queryable } from '../../store/index.js';
import { checkImportFormat } from '../import-format.js';
import { parseCgnatCsv } from './cgnat-csv.js';
import { parseCgnatSyslog } from './cgnat-syslog.js';
import { parseDhcpdLeases } from './dhcpd-leases.js';
import { parseKeaCsv } from './kea-csv.js';
import { parseMapeRules } from './mape.js';
import { parseRadiusDetail } from './radius-detail.js';
import { parseStaticCsv } from './static-csv.js';
import type { ImportInput } from './text.js';
import {
  type AssignmentEvent,
  type AssignmentRow,
  DHCP_SUBSCRIBER_FIELDS,
  type DhcpSubscriberField,
  type LineError,
  type ResolveBy,
} from './types.js';

export const ASSIGNMENT_FORMATS = [
  'radius-detail',
  'dhcpd-leases',
  'kea-csv',
  'cgnat-csv',
  'cgnat-syslog',
  'static-csv',
  'mape-rules',
] as const;
export type AssignmentFormat = (typeof ASSIGNMENT_FORMATS)[number];

export interface AssignmentImportOptions {
  format: string;
  /** Label stored in assignments.source (default: the format). */
  source?: string;
  /** DHCP formats: which lease field is the subscriber id (default: [attribution] dhcp_subscriber_field). */
  subscriberField?: string;
  /** cgnat-syslog: year for RFC 3164 timestamps (default: the clock's year). */
  year?: number;
  actor?: string;
}

export interface AssignmentImportReport {
  format: AssignmentFormat;
  /** Intervals inserted (complete or still open). */
  imported: number;
  /** Open intervals of earlier imports closed by a Stop/release in this one. */
  closed: number;
  /** Sessions left open (no Stop yet). */
  open: number;
  /** MAP-E rules stored (mape-rules only). */
  rules?: number;
  /** Lines that could not be imported; first MAX_ERRORS kept, errorCount counts all. */
  errors: LineError[];
  errorCount: number;
}

const MAX_ERRORS = 1000;
const BATCH = 5000;

const COLUMNS = ['subscriber_id', 'prefix', 'port_range', 'during', 'kind', 'source', 'session_id'];

function rangeText(row: AssignmentRow): string {
  return `[${row.start ? row.start.toISOString() : ''},${row.end ? row.end.toISOString() : ''})`;
}
function portsText(row: AssignmentRow): string | null {
  return row.ports ? `[${row.ports[0]},${row.ports[1]}]` : null;
}

export function checkFormat(format: string): AssignmentFormat {
  return checkImportFormat(ASSIGNMENT_FORMATS, format, 'ASSIGNMENT_FORMAT_UNKNOWN', 'assignment');
}

/**
 * Imports an assignment log: parses it as a stream, bulk-loads intervals with COPY, pairs session
 * starts and stops (also with sessions an earlier import left open) and reports every line it could
 * not use with its number. Not one transaction: a failure part-way leaves the rows loaded so far.
 */
export async function importAssignments(
  ctx: AppContext,
  input: ImportInput,
  opts: AssignmentImportOptions,
): Promise<AssignmentImportReport> {
  const format = checkFormat(opts.format);
  const field = (opts.subscriberField ?? ctx.config.attribution.dhcp_subscriber_field) as DhcpSubscriberField;
  if (!DHCP_SUBSCRIBER_FIELDS.includes(field))
    throw new YojinError(
      'REQUEST_INVALID',
      `subscriber field must be one of ${DHCP_SUBSCRIBER_FIELDS.join(', ')} (got "${field}")`,
    );
  const report: AssignmentImportReport = {
    format,
    imported: 0,
    closed: 0,
    open: 0,
    errors: [],
    errorCount: 0,
  };
  const err = (e: LineError) => {
    report.errorCount++;
    if (report.errors.length < MAX_ERRORS) report.errors.push(e);
  };

  if (format === 'mape-rules') {
    const { rules, errors } = await parseMapeRules(input);
    for (const e of errors) err(e);
    await ctx.store.transaction(async (tx) => {
      for (const r of rules)
        await tx.query(
          `INSERT INTO mape_rules (name, ipv6_prefix, ipv4_prefix, ea_bits, psid_offset)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (ipv4_prefix) DO UPDATE SET name = EXCLUDED.name, ipv6_prefix = EXCLUDED.ipv6_prefix,
             ea_bits = EXCLUDED.ea_bits, psid_offset = EXCLUDED.psid_offset, updated_at = now()`,
          [r.name, r.ipv6Prefix, r.ipv4Prefix, r.eaBits, r.psidOffset],
        );
    });
    report.rules = rules.length;
    report.errors.sort((a, b) => a.line - b.line);
    await auditImport(ctx, opts, report);
    return report;
  }

  const year = opts.year ?? ctx.clock.now().getUTCFullYear();
  const events: AsyncIterable<AssignmentEvent> =
    format === 'radius-detail'
      ? parseRadiusDetail(input)
      : format === 'dhcpd-leases'
        ? parseDhcpdLeases(input, field)
        : format === 'kea-csv'
          ? parseKeaCsv(input, field)
          : format === 'cgnat-csv'
            ? parseCgnatCsv(input)
            : format === 'cgnat-syslog'
              ? parseCgnatSyslog(input, year)
              : parseStaticCsv(input);
  const source = opts.source ?? format;
  const db = ctx.store;

  const open = new Map<string, { line: number; row: AssignmentRow }>();
  let closes: Close[] = [];
  const flushCloses = async () => {
    const batch = closes;
    closes = [];
    if (batch.length === 0) return;
    const r = await applyCloses(db, batch, source);
    report.closed += r.closed;
    report.imported += r.inserted;
    for (const e of r.errors) err(e);
  };

  async function* rows(): AsyncGenerator<unknown[]> {
    for await (const ev of resolveSubscribers(db, events, err)) {
      if (ev.type === 'error') {
        err({ line: ev.line, message: ev.message });
        continue;
      }
      if (ev.type === 'row') {
        if (ev.row.start && ev.row.end && ev.row.end < ev.row.start) {
          err({ line: ev.line, message: 'interval ends before it starts' });
          continue;
        }
        report.imported++;
        yield [
          ev.row.subscriberId,
          ev.row.prefix,
          portsText(ev.row),
          rangeText(ev.row),
          ev.row.kind,
          source,
          ev.row.sessionId ?? null,
        ];
        continue;
      }
      if (ev.type === 'start') {
        if (!open.has(ev.key)) open.set(ev.key, { line: ev.line, row: ev.row });
        continue;
      }
      const began = open.get(ev.key);
      open.delete(ev.key);
      closes.push({
        key: ev.key,
        line: ev.line,
        end: ev.end,
        row: began ? { ...began.row, end: ev.end } : ev.row,
      });
      if (closes.length >= BATCH) await flushCloses();
    }
  }
  await db.copyFrom('assignments', COLUMNS, rows());
  await flushCloses();
  const opens = [...open.values()];
  for (let i = 0; i < opens.length; i += BATCH) {
    const inserted = await insertOpen(
      db,
      opens.slice(i, i + BATCH).map((o) => o.row),
      source,
    );
    report.imported += inserted;
    report.open += inserted;
  }
  report.errors.sort((a, b) => a.line - b.line);
  await auditImport(ctx, opts, report);
  ctx.log.info(
    { format, imported: report.imported, closed: report.closed, errors: report.errorCount },
    'assignments imported',
  );
  return report;
}

interface Close {
  key: string;
  line: number;
  end: Date;
  /** The whole interval, when its start is known (from this file or Acct-Session-Time). */
  row?: AssignmentRow;
}

/**
 * Closes open intervals (from earlier imports) that these stops end, in one statement; a stop that
 * closes nothing inserts its whole interval if the start is known, else is reported.
 */
async function applyCloses(db: Queryable, batch: Close[], source: string) {
  const keyParts = batch.map((c) => c.key.split('|'));
  const closedIdx = await db.query<{ idx: number }>(
    `WITH c AS (
       SELECT * FROM unnest($1::text[], $2::cidr[], $3::int[], $4::int[], $5::timestamptz[])
         WITH ORDINALITY AS c(session_id, prefix, lo, hi, end_at, idx))
     UPDATE assignments a SET during = tstzrange(lower(a.during), c.end_at, '[)')
       FROM c
      WHERE a.session_id = c.session_id AND a.prefix = c.prefix
        AND a.port_range IS NOT DISTINCT FROM (CASE WHEN c.lo IS NULL THEN NULL ELSE int4range(c.lo, c.hi, '[]') END)
        AND upper_inf(a.during) AND (lower_inf(a.during) OR lower(a.during) <= c.end_at)
     RETURNING c.idx`,
    [
      keyParts.map((k) => k[0]),
      keyParts.map((k) => k[1]),
      keyParts.map((k) => (k[2] ? Number(k[2].split('-')[0]) : null)),
      keyParts.map((k) => (k[2] ? Number(k[2].split('-')[1]) : null)),
      batch.map((c) => c.end),
    ],
  );
  const done = new Set(closedIdx.rows.map((r) => Number(r.idx) - 1));
  const insert: AssignmentRow[] = [];
  const errors: LineError[] = [];
  batch.forEach((c, i) => {
    if (done.has(i)) return;
    if (c.row?.subscriberId && c.row.start) insert.push({ ...c.row, end: c.end });
    else
      errors.push({
        line: c.line,
        message:
          'stop/release of a session with no start in this or an earlier import (and no session time): when it began is unknown',
      });
  });
  if (insert.length) await insertRows(db, insert, source, false);
  return { closed: done.size, inserted: insert.length, errors };
}

function insertOpen(db: Queryable, rows: AssignmentRow[], source: string) {
  return insertRows(db, rows, source, true);
}

/** Inserts rows (one statement); with `skipIfOpen`, not those whose session is already open. */
async function insertRows(
  db: Queryable,
  rows: AssignmentRow[],
  source: string,
  skipIfOpen: boolean,
): Promise<number> {
  const r = await db.query(
    `INSERT INTO assignments (subscriber_id, prefix, port_range, during, kind, source, session_id)
     SELECT i.sub, i.prefix, CASE WHEN i.lo IS NULL THEN NULL ELSE int4range(i.lo, i.hi, '[]') END,
            tstzrange(i.s, i.e, '[)'), i.kind, $9, i.sid
       FROM unnest($1::text[], $2::cidr[], $3::int[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[])
         AS i(sub, prefix, lo, hi, s, e, kind, sid)
      WHERE NOT $10 OR NOT EXISTS (
        SELECT 1 FROM assignments a
         WHERE a.session_id = i.sid AND a.prefix = i.prefix AND upper_inf(a.during)
           AND a.port_range IS NOT DISTINCT FROM (CASE WHEN i.lo IS NULL THEN NULL ELSE int4range(i.lo, i.hi, '[]') END))`,
    [
      rows.map((r) => r.subscriberId),
      rows.map((r) => r.prefix),
      rows.map((r) => r.ports?.[0] ?? null),
      rows.map((r) => r.ports?.[1] ?? null),
      rows.map((r) => r.start),
      rows.map((r) => r.end),
      rows.map((r) => r.kind),
      rows.map((r) => r.sessionId ?? null),
      source,
      skipIfOpen,
    ],
  );
  return r.rowCount;
}

/**
 * Fills in the subscriber of events that only know an internal address (CGNAT logs without a
 * subscriber column): who held that address at that time, looked up a batch at a time in one
 * query. None or several holders → the line is reported, never guessed.
 */
async function* resolveSubscribers(
  db: Queryable,
  events: AsyncIterable<AssignmentEvent>,
  err: (e: LineError) => void,
): AsyncGenerator<AssignmentEvent> {
  let pending: Array<AssignmentEvent & { resolve?: ResolveBy }> = [];
  const flush = async function* () {
    const need = pending.filter((e) => e.type === 'start' || e.type === 'row') as Array<
      Extract<AssignmentEvent, { type: 'start' | 'row' }>
    >;
    if (need.length) {
      const r = await db.query<{ idx: string; sub: string | null; n: string }>(
        `SELECT i.idx, min(a.subscriber_id) AS sub, count(DISTINCT a.subscriber_id) AS n
           FROM unnest($1::inet[], $2::timestamptz[]) WITH ORDINALITY AS i(addr, at, idx)
           LEFT JOIN assignments a ON a.prefix >>= i.addr AND a.during @> i.at AND a.kind <> 'cgnat'
          GROUP BY i.idx`,
        [need.map((e) => e.resolve!.internal), need.map((e) => e.resolve!.at)],
      );
      const byIdx = new Map(r.rows.map((x) => [Number(x.idx) - 1, x]));
      need.forEach((e, i) => {
        const hit = byIdx.get(i);
        if (hit && Number(hit.n) === 1) e.row.subscriberId = hit.sub!;
        else e.row.subscriberId = '';
      });
    }
    for (const e of pending) {
      if ((e.type === 'start' || e.type === 'row') && e.row.subscriberId === '') {
        err({
          line: e.line,
          message: `no single subscriber held internal address ${e.resolve!.internal} at ${e.resolve!.at.toISOString()} (import that address's assignments first)`,
        });
        continue;
      }
      yield e;
    }
    pending = [];
  };
  for await (const ev of events) {
    if (ev.type !== 'error' && ev.resolve) {
      pending.push(ev);
      if (pending.length >= BATCH) yield* flush();
      continue;
    }
    if (pending.length) yield* flush();
    yield ev;
  }
  if (pending.length) yield* flush();
}

async function auditImport(ctx: AppContext, opts: AssignmentImportOptions, report: AssignmentImportReport) {
  await appendAudit(
    ctx.store,
    {
      actor: opts.actor ?? 'cli',
      action: 'assignments.import',
      outcome: 'done',
      details: {
        format: report.format,
        source: opts.source ?? report.format,
        imported: report.imported,
        closed: report.closed,
        rules: report.rules,
        errors: report.errorCount,
      },
    },
    ctx.clock,
  );
}
