import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { monthlyReport, rollupFromStore } from '../reports/index.js';
import type { GroundTruth } from './generate.js';

export interface CaseReview {
  subscriber: string;
  measure: string;
  expected: number;
  sent: number;
  state: string | null;
  /** Hours from the first evidence day (00:00 UTC) to the first notice sent. */
  hoursToFirstNotice: number | null;
  /** Hours from the case opening to its close (resolved or closed by an operator), if closed. */
  hoursToClose: number | null;
  /** Operator notes and actions on the case (annotations, holds, fixed). */
  operatorActions: number;
}

export interface Review {
  scenario: string;
  cases: CaseReview[];
  unexpectedNotices: Array<{ subscriber: string | null; measure: string; sent: number }>;
  delistings: Array<{ name: string; delisted: boolean }>;
  monthly: Array<{ month: string; metric: string; expected: number; actual: number }>;
  ok: boolean;
}

export function readGroundTruth(dir: string): GroundTruth {
  const p = join(dir, 'ground-truth.json');
  if (!existsSync(p))
    throw new YojinError(
      'DEMO_GROUND_TRUTH_MISSING',
      `no ground-truth.json in ${dir}; run \`yojin demo\` or \`yojin demo generate --out ${dir}\` first`,
    );
  return JSON.parse(readFileSync(p, 'utf8')) as GroundTruth;
}

/**
 * The exercise review: what the system and its operators did (cases, notices, delistings, the monthly
 * figures) against the scenario's ground truth. Read-only.
 */
export async function reviewExercise(ctx: AppContext, truth: GroundTruth): Promise<Review> {
  const rows = await ctx.store.query<{
    subscriber_id: string | null;
    measure: string;
    state: string;
    opened_at: Date;
    closed_at: Date | null;
    notes: unknown[];
    sent: number;
    first_sent: Date | null;
  }>(
    `SELECT c.subscriber_id, c.measure, c.state, c.opened_at, c.closed_at, c.notes,
            count(n.id) FILTER (WHERE n.status = 'sent')::int AS sent, min(n.sent_at) AS first_sent
       FROM cases c LEFT JOIN notifications n ON n.case_id = c.id
      WHERE c.kind = 'subscriber' GROUP BY c.id ORDER BY c.id`,
  );
  const byKey = new Map<string, (typeof rows.rows)[number]>();
  for (const r of rows.rows) byKey.set(`${r.subscriber_id}\u0000${r.measure}`, r);
  const hours = (a: Date, b: Date) => Math.round(((b.getTime() - a.getTime()) / 3_600_000) * 10) / 10;
  const cases: CaseReview[] = truth.notices.map((n) => {
    const k = `${n.subscriber}\u0000${n.measure}`;
    const r = byKey.get(k);
    byKey.delete(k);
    const day0 = new Date(Date.parse(`${truth.start}T00:00:00Z`) + n.day * 86_400_000);
    return {
      subscriber: n.subscriber,
      measure: n.measure,
      expected: n.count,
      sent: r?.sent ?? 0,
      state: r?.state ?? null,
      hoursToFirstNotice: r?.first_sent ? hours(day0, new Date(r.first_sent)) : null,
      hoursToClose: r?.closed_at ? hours(new Date(r.opened_at), new Date(r.closed_at)) : null,
      operatorActions: Array.isArray(r?.notes) ? r.notes.length : 0,
    };
  });
  const unexpectedNotices = [...byKey.values()]
    .filter((r) => r.sent > 0)
    .map((r) => ({ subscriber: r.subscriber_id, measure: r.measure, sent: r.sent }));
  const delistings: Review['delistings'] = [];
  for (const d of truth.delisted) {
    const r = await ctx.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM indicators WHERE value = $1 AND status = 'active'`,
      [d.name],
    );
    delistings.push({ name: d.name, delisted: r.rows[0].n === 0 });
  }
  await rollupFromStore(ctx.store, new Date(`${truth.start}T00:00:00Z`));
  const monthly: Review['monthly'] = [];
  for (const [month, figures] of Object.entries(truth.monthly)) {
    const rep = await monthlyReport(ctx.store, month);
    const actual: Record<string, number> = { ...rep.totals };
    for (const x of rep.byMeasure) actual[`${x.metric}:${x.measure}`] = x.value;
    for (const [metric, expected] of Object.entries(figures))
      monthly.push({ month, metric, expected, actual: actual[metric] ?? 0 });
  }
  const ok =
    cases.every((c) => c.sent === c.expected) &&
    unexpectedNotices.length === 0 &&
    delistings.every((d) => d.delisted) &&
    monthly.every((m) => m.expected === m.actual);
  return { scenario: truth.scenario, cases, unexpectedNotices, delistings, monthly, ok };
}

export function reviewText(r: Review): string {
  const lines = [
    `Exercise review: ${r.scenario} — ${r.ok ? 'matches the ground truth' : 'DIFFERS from the ground truth'}`,
    '',
    'Cases (expected notices / sent, hours to first notice, hours to close, operator actions):',
  ];
  for (const c of r.cases)
    lines.push(
      `  ${c.sent === c.expected ? 'ok  ' : 'DIFF'} ${c.subscriber.padEnd(10)} ${c.measure.padEnd(18)} ${c.expected}/${c.sent}  ${c.state ?? 'no case'}  ${c.hoursToFirstNotice ?? '-'} h  ${c.hoursToClose ?? '-'} h  ${c.operatorActions}`,
    );
  for (const u of r.unexpectedNotices)
    lines.push(`  DIFF unexpected notices: ${u.subscriber} ${u.measure} (${u.sent})`);
  lines.push('', 'False positives:');
  for (const d of r.delistings)
    lines.push(`  ${d.delisted ? 'ok  ' : 'DIFF'} ${d.name} ${d.delisted ? 'delisted' : 'still listed'}`);
  lines.push('', 'Monthly figures (expected / actual):');
  for (const m of r.monthly)
    lines.push(
      `  ${m.expected === m.actual ? 'ok  ' : 'DIFF'} ${m.month} ${m.metric.padEnd(40)} ${m.expected} / ${m.actual}`,
    );
  return lines.join('\n');
}
