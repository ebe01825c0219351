import type { Queryable } from '../store/index.js';

/** The figures ACTIVE published monthly, and what the dashboard charts. */
export const METRICS = [
  'indicators-listed', // new listings (change log adds)
  'indicators-delisted',
  'warnings-shown', // DNS answered the warning page (warn-malicious-site)
  'c2-blocked', // DNS blocked a C&C name or address (block-c2)
  'warning-page-views',
  'subscribers-notified', // notices sent
  'cases-opened',
  'cases-resolved',
  'site-owners-notified',
] as const;
export type Metric = (typeof METRICS)[number];

export interface ActivityDims {
  measure?: string;
  family?: string;
  category?: string;
}

/**
 * Adds `n` to a daily figure. Writers count in memory and flush here (e.g. the DNS server once a
 * minute), so this is one upsert per flush, not per event.
 */
export async function recordActivity(
  db: Queryable,
  day: Date,
  metric: Metric,
  n: number,
  dims: ActivityDims = {},
) {
  if (n === 0) return;
  await db.query(
    `INSERT INTO activity_daily (day, metric, measure, family, category, value) VALUES ($1::date, $2, $3, $4, $5, $6)
     ON CONFLICT (day, metric, measure, family, category) DO UPDATE SET value = activity_daily.value + EXCLUDED.value`,
    [day.toISOString().slice(0, 10), metric, dims.measure ?? '', dims.family ?? '', dims.category ?? '', n],
  );
}

/** A site-owner case records the listing's category where a subscriber case has the malware family. */
const family = (t = '') => `CASE WHEN ${t}kind = 'site' THEN '' ELSE coalesce(${t}family, '') END`;

/**
 * Recomputes the figures that live in the store's own tables (listings from the change log, cases,
 * notices) for the days from `since` on. Idempotent: those figures are replaced, not added to.
 */
export async function rollupFromStore(db: Queryable, since: Date): Promise<void> {
  const day = since.toISOString().slice(0, 10);
  const derived = [
    'indicators-listed',
    'indicators-delisted',
    'cases-opened',
    'cases-resolved',
    'subscribers-notified',
    'site-owners-notified',
  ];
  await db.query('DELETE FROM activity_daily WHERE day >= $1::date AND metric = ANY($2)', [day, derived]);
  await db.query(
    `INSERT INTO activity_daily (day, metric, category, value)
     SELECT c.at::date, CASE WHEN c.op = 'add' THEN 'indicators-listed' ELSE 'indicators-delisted' END,
            coalesce(c.state->>'category', ''), count(*)
     FROM change_log c WHERE c.entity = 'indicator' AND c.op IN ('add', 'remove') AND c.at >= $1::date
     GROUP BY 1, 2, 3`,
    [day],
  );
  await db.query(
    `INSERT INTO activity_daily (day, metric, measure, family, value)
     SELECT opened_at::date, 'cases-opened', measure, ${family()}, count(*) FROM cases WHERE opened_at >= $1::date GROUP BY 1, 3, 4
     UNION ALL
     SELECT closed_at::date, 'cases-resolved', measure, ${family()}, count(*) FROM cases
       WHERE closed_at >= $1::date AND state = 'resolved' GROUP BY 1, 3, 4`,
    [day],
  );
  await db.query(
    `INSERT INTO activity_daily (day, metric, measure, family, value)
     SELECT n.sent_at::date, CASE WHEN c.kind = 'site' THEN 'site-owners-notified' ELSE 'subscribers-notified' END,
            c.measure, ${family('c.')}, count(*)
     FROM notifications n JOIN cases c ON c.id = n.case_id
     WHERE n.status = 'sent' AND n.sent_at >= $1::date GROUP BY 1, 2, 3, 4`,
    [day],
  );
}
