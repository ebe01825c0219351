import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AppContext } from '../app/index.js';
import { runCycle } from '../cases/index.js';
import type { ManualClock } from '../clock/index.js';
import { DnsResolver } from '../dns/index.js';
import { importAssignments } from '../pipeline/assignments/index.js';
import { importEvidence } from '../pipeline/evidence/index.js';
import { getParser, readLines } from '../pipeline/index.js';
import { monthlyReport, rollupFromStore } from '../reports/index.js';
import { importFeed, reportFalsePositive, reviewFpReport } from '../reputation/index.js';
import { importSubscribers, subscribersFromCsv } from '../subscribers/index.js';
import { queryFrom } from './dns.js';
import { type Expect, type GroundTruth, generate, type Manifest } from './generate.js';
import { dayStart } from './plan.js';
import type { Scenario } from './scenario.js';

const FEEDS: Array<[key: string, format: string, source: string]> = [
  ['urlhaus-csv', 'urlhaus-csv', 'demo-urlhaus'],
  ['openphish-txt', 'openphish-txt', 'demo-openphish'],
  ['feodo-csv', 'feodo-csv', 'demo-feodo'],
  ['spamhaus-drop', 'spamhaus-drop', 'demo-drop'],
  ['rpz', 'rpz', 'demo-rpz'],
];

const REPLAY_CONCURRENCY = 32;

export interface ReplayTally {
  queries: number;
  warned: number;
  blocked: number;
  passed: number;
  /** Queries whose answer was not what the ground truth expects (first 50 kept). */
  mismatches: Array<{ time: string; client: string; name: string; expect: Expect; got: string }>;
  mismatchCount: number;
}

export interface RunResult {
  out: string;
  truth: GroundTruth;
  manifest: Manifest;
  replay: ReplayTally;
  /** The ids of the false-positive reports filed and reviewed. */
  fpReports: number[];
  monthly: Record<string, Record<string, number>>;
}

export interface RunOptions {
  out: string;
  /** The resolver under test; when absent the runner starts one on ctx.config.dns.listen. */
  resolver?: DnsResolver;
  evidence?: number;
  indicators?: number;
  /** Pause between replayed days (ms) so a person watching the dashboard sees it move. */
  dayDelayMs?: number;
  log?: (line: string) => void;
}

/** How a reply reads in the tally: a warning page answer, a block, or the ordinary answer. */
function classify(r: { rcode: string; answers: string[]; ede?: { code: number } }, warnV4: string): Expect {
  if (r.ede && r.answers.includes(warnV4)) return 'warn';
  if (r.ede && (r.rcode === 'NXDOMAIN' || r.answers.length === 0)) return 'block';
  return 'pass';
}

/**
 * Replays a scenario through the real pipelines on an accelerated clock: generates the day's files,
 * imports them with the same functions the CLI uses, sends the day's DNS traffic as UDP queries from
 * the subscribers' loopback addresses to the running resolver, files and reviews the false-positive
 * reports, and runs the case cycle (which sends notices by SMTP). Writes results.json next to the
 * ground truth.
 */
export async function runScenario(
  ctx: AppContext & { clock: ManualClock },
  s: Scenario,
  opts: RunOptions,
): Promise<RunResult> {
  const log = opts.log ?? (() => {});
  const { manifest, truth } = await generate(s, {
    out: opts.out,
    evidence: opts.evidence,
    indicators: opts.indicators,
  });
  log(
    `generated ${opts.out} (${Object.entries(manifest.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  const actor = 'demo';
  ctx.clock.set(dayStart(s.start, 0));
  await importSubscribers(ctx, subscribersFromCsv(ctx, { path: join(opts.out, 'subscribers.csv') }), {
    actor,
    via: 'demo',
  });
  await importAssignments(
    ctx,
    { path: join(opts.out, 'loopback.csv') },
    { format: 'static-csv', source: 'demo-loopback', actor },
  );

  let resolver = opts.resolver;
  const own = !resolver;
  if (!resolver) {
    resolver = new DnsResolver(ctx);
    await resolver.start();
  }
  const port = resolver.address!.port;
  const warnV4 = ctx.config.dns.warning_address_v4;
  const replay: ReplayTally = {
    queries: 0,
    warned: 0,
    blocked: 0,
    passed: 0,
    mismatches: [],
    mismatchCount: 0,
  };
  const fpReports: number[] = [];
  const months = new Set<string>();
  try {
    for (const day of manifest.days) {
      const t0 = dayStart(s.start, day.day);
      months.add(day.date.slice(0, 7));
      const f = (k: string) => (day.files[k] ? join(opts.out, day.files[k]) : undefined);
      // 01:00 — overnight logs and feeds arrive.
      ctx.clock.set(new Date(t0.getTime() + 3600_000));
      await importAssignments(
        ctx,
        { path: f('radius-detail')! },
        { format: 'radius-detail', source: 'demo-radius', actor },
      );
      await importAssignments(
        ctx,
        { path: f('cgnat-csv')! },
        { format: 'cgnat-csv', source: 'demo-cgnat', actor },
      );
      for (const [key, format, source] of FEEDS) {
        const file = f(key);
        if (!file) continue;
        await importFeed(ctx, { source, format, items: getParser(format).parse(readLines(file)) });
      }
      // 12:00 — the resolver picks up the new listings and who holds which address now.
      ctx.clock.set(new Date(t0.getTime() + 12 * 3600_000));
      await resolver.holder.loadFull('demo-day');
      const fps = truth.delisted.filter((x) => x.day === day.day);
      // Queries go out in small concurrent batches, like many subscribers at once.
      let warned = 0;
      let blocked = 0;
      const send = async (row: string[]) => {
        const [time, client, name, expect] = row as [string, string, string, Expect];
        const got = classify(await queryFrom(client, port, name), warnV4);
        replay.queries++;
        if (got === 'warn') {
          replay.warned++;
          warned++;
        } else if (got === 'block') {
          replay.blocked++;
          blocked++;
        } else replay.passed++;
        if (got !== expect) {
          replay.mismatchCount++;
          if (replay.mismatches.length < 50) replay.mismatches.push({ time, client, name, expect, got });
        }
      };
      let batch: string[][] = [];
      for await (const row of csvRows(f('dns-queries')!)) {
        batch.push(row);
        if (batch.length >= REPLAY_CONCURRENCY) {
          await Promise.all(batch.map(send));
          batch = [];
        }
      }
      await Promise.all(batch.map(send));
      // The resolver counts the warnings and blocks it answered; write the day's figures now.
      ctx.clock.set(t0);
      await resolver.flushActivity();
      // A site owner reports a listing as a mistake; an analyst reviews it a few hours later.
      for (const fp of fps) {
        ctx.clock.set(new Date(t0.getTime() + 13 * 3600_000));
        const { report } = await reportFalsePositive(ctx, {
          value: fp.name,
          reporter: fp.reporter,
          contact: fp.reporter,
          reason: fp.reason,
          lang: 'en',
        });
        ctx.clock.set(new Date(t0.getTime() + (13 + fp.reviewAfterHours) * 3600_000));
        await reviewFpReport(ctx, report.id, {
          decision: 'accept',
          reviewer: 'demo-analyst',
          note: 'owner verified; site is clean',
        });
        fpReports.push(report.id);
        log(`${day.date}: false positive ${fp.name} reported by ${fp.reporter}, delisted`);
      }
      if (fps.length) await resolver.holder.loadFull('demo-fp');
      // 06:00–20:00 Shadowserver's daily reports; the case worker runs in the evening.
      ctx.clock.set(new Date(t0.getTime() + 20 * 3600_000));
      await importEvidence(
        ctx,
        { path: f('shadowserver-sinkhole')! },
        { format: 'shadowserver-sinkhole', actor },
      );
      await importEvidence(
        ctx,
        { path: f('shadowserver-open-resolver')! },
        { format: 'shadowserver-open-resolver', actor },
      );
      const cycle = await runCycle(ctx);
      await rollupFromStore(ctx.store, dayStart(s.start, 0));
      log(
        `${day.date}: ${warned} warnings, ${blocked} C&C blocked, ${cycle.evidence.opened} cases opened, ${cycle.outbox.sent} notices sent`,
      );
      if (opts.dayDelayMs) await new Promise((r) => setTimeout(r, opts.dayDelayMs));
    }
  } finally {
    if (own) await resolver.stop();
  }
  const monthly: RunResult['monthly'] = {};
  for (const m of months) {
    const rep = await monthlyReport(ctx.store, m);
    monthly[m] = { ...rep.totals };
    for (const x of rep.byMeasure) monthly[m][`${x.metric}:${x.measure}`] = x.value;
  }
  const result: RunResult = { out: opts.out, truth, manifest, replay, fpReports, monthly };
  writeFileSync(
    join(opts.out, 'results.json'),
    `${JSON.stringify({ replay, fpReports, monthly }, null, 2)}\n`,
  );
  return result;
}

async function* csvRows(path: string): AsyncGenerator<string[]> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let first = true;
  for await (const line of rl) {
    if (first) {
      first = false;
      continue;
    }
    if (line) yield line.split(',');
  }
}
