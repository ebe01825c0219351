// `npm run bench -- reports [--events 14000000] [--cases 50000] [--runs 5] [--pg postgres://…]`
//
// The dashboard overview and the monthly report over a year of activity. N events (warnings shown,
// C&C blocks, listings, notices, …) are generated one by one with a realistic spread — weekly rhythm,
// a growth trend, a Zipf-like family mix, metric-appropriate measures and categories — and counted
// in memory into daily rollups exactly as the writers do before recordActivity flushes them
// (activity_daily). Cases (for open/resolved and median time to remediation) are inserted as rows.
// Then the overview (GET /api/v1/reports/monthly) and the monthly CSV (GET …/monthly.csv) are timed
// through the HTTP API. Target: < 1 s each over 14M events. Runs on PGlite and, with --pg or
// YOJIN_TEST_DATABASE_URL, on PostgreSQL (a fresh database, dropped afterwards).
import { buildApi } from '../../src/api/index.js';
import { createToken } from '../../src/auth/index.js';
import { reportRoutes } from '../../src/reports/index.js';
import { testContext } from '../../src/testing/context.js';
import { testBackends } from '../../src/testing/stores.js';
import { Rng } from '../../src/util/rng.js';
import { stringArg } from './support/args.js';

const EVENTS = Number(stringArg('events', '14000000'));
const CASES = Number(stringArg('cases', '50000'));
const RUNS = Number(stringArg('runs', '5'));
const pg = stringArg('pg', '');
if (pg) process.env.YOJIN_TEST_DATABASE_URL = pg;

const DAY = 86_400_000;
const START = Date.parse('2025-12-01T00:00:00Z');
const DAYS = 365;
const MONTH = '2026-11';

const FAMILIES = Array.from(
  { length: 40 },
  (_, i) =>
    ['mirai', 'emotet', 'qakbot', 'icedid', 'gafgyt', 'mozi', 'lokibot', 'agenttesla', 'formbook', 'redline'][
      i
    ] ?? `family-${i}`,
);
const CATS = ['malware-distribution', 'phishing', 'c2', 'exploit', 'botnet', 'spam', 'scanner', 'other'];
// metric → [weight, measure, uses family, uses category]
const METRIC_MIX: Array<[string, number, string, boolean, boolean]> = [
  ['warnings-shown', 0.55, 'warn-malicious-site', false, true],
  ['warning-page-views', 0.2, 'warn-malicious-site', false, true],
  ['c2-blocked', 0.15, 'block-c2', true, false],
  ['indicators-listed', 0.06, '', false, true],
  ['indicators-delisted', 0.01, '', false, true],
  ['subscribers-notified', 0.02, 'notify-infected', true, false],
  ['site-owners-notified', 0.01, 'notify-site-owner', false, true],
];
const cum: number[] = [];
METRIC_MIX.reduce((a, m, i) => (cum[i] = a + m[1]), 0);

function generate(n: number) {
  const r = new Rng(42);
  // day weight: growth over the year and a weekday rhythm
  const w = Array.from(
    { length: DAYS },
    (_, d) => (1 + d / DAYS) * ([0.7, 1.05, 1.1, 1.1, 1.05, 1.0, 0.75][d % 7] ?? 1),
  );
  const wsum = w.reduce((a, b) => a + b, 0);
  const dayCum: number[] = [];
  w.reduce((a, b, i) => (dayCum[i] = a + b / wsum), 0);
  const counts = new Map<string, number>();
  const pick = (c: number[], x: number) => {
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let i = 0; i < n; i++) {
    const d = pick(dayCum, r.next());
    const m = METRIC_MIX[pick(cum, r.next() * cum[cum.length - 1])];
    // Zipf-like: family k has weight ~1/(k+1)
    const fam = m[3]
      ? FAMILIES[Math.min(FAMILIES.length - 1, Math.floor(FAMILIES.length ** r.next()) - 1)]
      : '';
    const cat = m[4]
      ? CATS[Math.floor(CATS.length * r.next() * r.next())]
      : m[0] === 'c2-blocked'
        ? 'c2'
        : '';
    const key = `${d}|${m[0]}|${m[2]}|${fam}|${cat}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

let t = performance.now();
const counts = generate(EVENTS);
console.log(
  `generated ${EVENTS.toLocaleString('en')} events over ${DAYS} days → ${counts.size.toLocaleString('en')} daily rollup rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const backend of testBackends()) {
  const ctx = await testContext(backend);
  try {
    t = performance.now();
    await ctx.store.copyFrom(
      'activity_daily',
      ['day', 'metric', 'measure', 'family', 'category', 'value'],
      (function* () {
        for (const [k, v] of counts) {
          const [d, metric, measure, family, category] = k.split('|');
          yield [
            new Date(START + Number(d) * DAY).toISOString().slice(0, 10),
            metric,
            measure,
            family,
            category,
            v,
          ];
        }
      })(),
    );
    const r = new Rng(7);
    await ctx.store.copyFrom(
      'cases',
      [
        'kind',
        'subscriber_id',
        'measure',
        'legal_basis',
        'state',
        'stage',
        'family',
        'opened_at',
        'updated_at',
        'closed_at',
      ],
      (function* () {
        for (let i = 0; i < CASES; i++) {
          const opened = START + r.int(DAYS) * DAY + r.int(DAY);
          const closed =
            r.next() < 0.8
              ? Math.min(opened + Math.floor((0.5 + r.next() * r.next() * 20) * DAY), START + DAYS * DAY - 1)
              : null;
          yield [
            'subscriber',
            `B${i}`,
            'notify-infected',
            'consent',
            closed ? 'resolved' : 'open',
            1,
            FAMILIES[Math.floor(FAMILIES.length ** r.next()) - 1] ?? 'mirai',
            new Date(opened).toISOString(),
            new Date(closed ?? opened).toISOString(),
            closed ? new Date(closed).toISOString() : null,
          ];
        }
      })(),
    );
    await ctx.store.exec('ANALYZE activity_daily; ANALYZE cases');
    const load = (performance.now() - t) / 1000;

    const app = await buildApi(ctx, [reportRoutes]);
    const token = (await createToken(ctx.store, 'bench', 'auditor')).token;
    const timeIt = async (url: string) => {
      const ms: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS + 1; i++) {
        const s = performance.now();
        const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
        bytes = res.body.length;
        if (i > 0) ms.push(performance.now() - s); // the first run warms caches and the planner
      }
      return { median: median(ms), max: Math.max(...ms), bytes };
    };
    const overview = await timeIt(`/api/v1/reports/monthly?month=${MONTH}`);
    const csv = await timeIt(`/api/v1/reports/monthly.csv?month=${MONTH}`);
    await app.close();
    const fmt = (x: { median: number; max: number; bytes: number }) =>
      `median ${x.median.toFixed(0)} ms, max ${x.max.toFixed(0)} ms (${(x.bytes / 1024).toFixed(0)} KiB)`;
    console.log(
      `\n${backend.name}: loaded ${counts.size.toLocaleString('en')} rollup rows + ${CASES.toLocaleString('en')} cases in ${load.toFixed(1)} s`,
    );
    console.log(
      `  overview (GET /api/v1/reports/monthly, 6-month trend)  ${fmt(overview)}  ${overview.median < 1000 ? 'OK < 1 s' : 'OVER 1 s'}`,
    );
    console.log(
      `  monthly report CSV (GET /api/v1/reports/monthly.csv)  ${fmt(csv)}  ${csv.median < 1000 ? 'OK < 1 s' : 'OVER 1 s'}`,
    );
  } finally {
    await ctx.dispose();
  }
}
