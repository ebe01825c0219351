import type { Queryable } from '../store/index.js';
import { METRICS } from './activity.js';

export interface MonthlyReport {
  month: string;
  totals: Record<string, number>;
  byMeasure: Array<{ metric: string; measure: string; value: number }>;
  byFamily: Array<{ metric: string; family: string; value: number }>;
  byCategory: Array<{ metric: string; category: string; value: number }>;
  daily: Array<{ day: string; metric: string; value: number }>;
  remediation: { resolved: number; open: number; medianHours: number | null; rate: number | null };
  trend: Array<{ month: string; metric: string; value: number }>;
}

function monthRange(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 1, 1));
  const end = new Date(Date.UTC(y, m, 1));
  return [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)];
}

/** The monthly report from the daily rollups (sub-second whatever the event volume) and the cases table. */
export async function monthlyReport(db: Queryable, month: string, trendMonths = 6): Promise<MonthlyReport> {
  const [from, to] = monthRange(month);
  const [y, m] = month.split('-').map(Number);
  const trendFrom = new Date(Date.UTC(y, m - trendMonths, 1)).toISOString().slice(0, 10);
  const agg = await db.query<{
    metric: string;
    measure: string;
    family: string;
    category: string;
    value: number;
  }>(
    `SELECT metric, measure, family, category, sum(value)::bigint AS value FROM activity_daily
     WHERE day >= $1 AND day < $2 GROUP BY GROUPING SETS ((metric), (metric, measure), (metric, family), (metric, category))`,
    [from, to],
  );
  const totals: Record<string, number> = Object.fromEntries(METRICS.map((x) => [x, 0]));
  const byMeasure: MonthlyReport['byMeasure'] = [];
  const byFamily: MonthlyReport['byFamily'] = [];
  const byCategory: MonthlyReport['byCategory'] = [];
  // GROUPING SETS leave the other columns NULL; that tells which set a row belongs to.
  for (const r of agg.rows) {
    if (r.measure === null && r.family === null && r.category === null) totals[r.metric] = Number(r.value);
    else if (r.measure !== null && r.measure !== '')
      byMeasure.push({ metric: r.metric, measure: r.measure, value: Number(r.value) });
    else if (r.family !== null && r.family !== '')
      byFamily.push({ metric: r.metric, family: r.family, value: Number(r.value) });
    else if (r.category !== null && r.category !== '')
      byCategory.push({ metric: r.metric, category: r.category, value: Number(r.value) });
  }
  const daily = await db.query<{ day: string; metric: string; value: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, metric, sum(value)::bigint AS value FROM activity_daily
     WHERE day >= $1 AND day < $2 GROUP BY 1, 2 ORDER BY 1, 2`,
    [from, to],
  );
  const trend = await db.query<{ month: string; metric: string; value: number }>(
    `SELECT to_char(day, 'YYYY-MM') AS month, metric, sum(value)::bigint AS value FROM activity_daily
     WHERE day >= $1 AND day < $2 GROUP BY 1, 2 ORDER BY 1, 2`,
    [trendFrom, to],
  );
  const rem = await db.query<{ resolved: number; open: number; median_hours: number | null }>(
    `SELECT count(*) FILTER (WHERE state = 'resolved' AND closed_at >= $1 AND closed_at < $2)::int AS resolved,
            count(*) FILTER (WHERE closed_at IS NULL AND opened_at < $2)::int AS open,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at) / 3600)
              FILTER (WHERE state = 'resolved' AND closed_at >= $1 AND closed_at < $2) AS median_hours
     FROM cases`,
    [from, to],
  );
  const r0 = rem.rows[0];
  const opened = totals['cases-opened'] ?? 0;
  return {
    month,
    totals,
    byMeasure,
    byFamily,
    byCategory,
    daily: daily.rows.map((d) => ({ ...d, value: Number(d.value) })),
    trend: trend.rows.map((d) => ({ ...d, value: Number(d.value) })),
    remediation: {
      resolved: r0.resolved,
      open: r0.open,
      medianHours: r0.median_hours === null ? null : Math.round(Number(r0.median_hours) * 10) / 10,
      rate: opened > 0 ? Math.round((r0.resolved / opened) * 1000) / 1000 : null,
    },
  };
}

/** The report as CSV: one row per figure and dimension. */
export function reportCsv(r: MonthlyReport): string {
  const rows: string[][] = [['month', 'metric', 'dimension', 'key', 'value']];
  for (const [metric, value] of Object.entries(r.totals))
    rows.push([r.month, metric, 'total', '', String(value)]);
  for (const x of r.byMeasure) rows.push([r.month, x.metric, 'measure', x.measure, String(x.value)]);
  for (const x of r.byFamily) rows.push([r.month, x.metric, 'family', x.family, String(x.value)]);
  for (const x of r.byCategory) rows.push([r.month, x.metric, 'category', x.category, String(x.value)]);
  rows.push([
    r.month,
    'remediation-median-hours',
    'total',
    '',
    r.remediation.medianHours === null ? '' : String(r.remediation.medianHours),
  ]);
  rows.push([r.month, 'cases-resolved-in-month', 'total', '', String(r.remediation.resolved)]);
  rows.push([r.month, 'cases-open-at-month-end', 'total', '', String(r.remediation.open)]);
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return `${rows.map((row) => row.map(esc).join(',')).join('\n')}\n`;
}
