import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createContext } from '../app/index.js';
import { casesService } from '../cases/index.js';
import { configFor, output, withContext } from '../cli/context.js';
import { ManualClock } from '../clock/index.js';
import { DnsResolver, dnsService } from '../dns/index.js';
import { createLogger } from '../observability/index.js';
import { SERVICES, startServices } from '../serve/index.js';
import { startEnvironment } from './environment.js';
import { generate } from './generate.js';
import { dayStart, loopbackOf } from './plan.js';
import { readGroundTruth, reviewExercise, reviewText } from './review.js';
import { runScenario } from './run.js';
import { loadScenario, type Scenario } from './scenario.js';

/** scenarios/ at the package root (two levels up from dist/demo or src/demo). */
const DEFAULT_SCENARIO = fileURLToPath(new URL('../../scenarios/small.yaml', import.meta.url));

interface Knobs {
  scenario?: string;
  subscribers?: string;
  days?: string;
  evidence?: string;
  indicators?: string;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got ${v})`);
  return n;
}

/** The scenario with the size knobs applied (they override the file's sizes). */
function scenarioFrom(o: Knobs): { s: Scenario; evidence?: number; indicators?: number } {
  const s = loadScenario(o.scenario ?? DEFAULT_SCENARIO);
  const subscribers = int('subscribers', o.subscribers);
  const days = int('days', o.days);
  if (subscribers !== undefined) s.subscribers = Math.max(4, subscribers);
  if (days !== undefined) {
    s.days = Math.max(1, days);
    s.incidents = s.incidents.filter((x) => x.day < s.days);
  }
  return { s, evidence: int('evidence', o.evidence), indicators: int('indicators', o.indicators) };
}

function knobs(c: Command): Command {
  return c
    .option('--scenario <file>', 'scenario YAML (default scenarios/small.yaml)')
    .option('--subscribers <n>', 'number of subscribers (overrides the scenario)')
    .option('--days <n>', 'number of days (overrides the scenario)')
    .option('--evidence <n>', 'background sinkhole rows spread over the days (benchmark scale)')
    .option('--indicators <n>', 'background listings across the feeds');
}

export function registerDemo(program: Command) {
  const demo = knobs(
    program
      .command('demo')
      .description(
        'run a synthetic ISP through yojin: feeds, DNS warnings, infected subscribers, notices (see docs/demo.md)',
      ),
  )
    .option(
      '--dir <dir>',
      'where the demo keeps its store, generated files and mailbox (default: a fresh temp dir)',
    )
    .option('--http <host:port>', 'dashboard/API listen address', '127.0.0.1:8080')
    .option('--dns <host:port>', 'policy DNS resolver listen address', '127.0.0.1:5353')
    .option('--day-delay <ms>', 'pause between replayed days, to watch the dashboard move', '1000')
    .option('--exit', 'exit after the replay instead of staying up')
    .action(
      async (
        o: Knobs & { dir?: string; http: string; dns: string; dayDelay: string; exit?: boolean },
        cmd: Command,
      ) => {
        const { s, evidence, indicators } = scenarioFrom(o);
        const dir = resolve(o.dir ?? mkdtempSync(join(tmpdir(), 'yojin-demo-')));
        mkdirSync(dir, { recursive: true });
        const env = await startEnvironment(dir);
        const config = configFor(cmd, {
          data_dir: join(dir, 'store'),
          'database.url': '',
          'http.listen': o.http,
          'dns.listen': o.dns,
          'dns.upstreams': env.upstreams,
          'smtp.url': env.config.smtp.url,
          'smtp.from': env.config.smtp.from,
          ...Object.fromEntries(
            Object.entries(env.config.siteowners).map(([k, v]) => [`siteowners.${k}`, v]),
          ),
        });
        const log = createLogger({ log: { ...config.log, level: 'warn' } });
        const clock = new ManualClock(dayStart(s.start, 0));
        const ctx = Object.assign(await createContext(config, { log, clock }), { clock });
        // The demo drives the resolver and the case cycle itself, on its accelerated clock.
        const running = await startServices(
          ctx,
          SERVICES.filter((f) => f !== dnsService && f !== casesService),
        );
        const resolver = new DnsResolver(ctx);
        const dnsAt = await resolver.start();
        const say = (l: string) => process.stdout.write(`${l}\n`);
        say(`yojin demo: scenario "${s.name}" (${s.subscribers} subscribers, ${s.days} days) in ${dir}`);
        for (const [name, where] of Object.entries(running.listening)) say(`  ${name.padEnd(8)} ${where}`);
        say(`  dns      ${dnsAt.host}:${dnsAt.port}`);
        if (running.firstAdminToken) say(`  admin token (API): ${running.firstAdminToken}`);
        let result: Awaited<ReturnType<typeof runScenario>>;
        try {
          result = await runScenario(ctx, s, {
            out: join(dir, 'files'),
            resolver,
            evidence,
            indicators,
            dayDelayMs: Number(o.dayDelay) || 0,
            log: (l) => say(`  ${l}`),
          });
        } catch (e) {
          await resolver.stop();
          await running.stop();
          await ctx.store.close();
          await env.close();
          throw e;
        }
        const t = result.truth;
        const warned = t.warned.filter((n) => !t.delisted.some((d) => d.name === n)).slice(0, 3);
        const consenting = [1, 2, 3, 4, 5]
          .map(loopbackOf)
          .find((c) => !t.optedOut.some((x) => x.client === c))!;
        say('');
        say('Where to look / 確認できる場所:');
        const api = /^(\S+)/.exec(running.listening.api ?? '')?.[1] ?? `http://${o.http}`;
        say(`  dashboard        ${api}/ui/`);
        for (const n of warned)
          say(`  warned name      dig @${dnsAt.host} -p ${dnsAt.port} -b ${consenting} ${n}`);
        for (const n of t.blocked.slice(0, 2))
          say(`  blocked C&C      dig @${dnsAt.host} -p ${dnsAt.port} ${n}`);
        for (const x of t.optedOut.slice(0, 1))
          say(`  opted out        dig @${dnsAt.host} -p ${dnsAt.port} -b ${x.client} ${x.name}`);
        say(`  mailbox (.eml)   ${env.mailbox.dir}`);
        say(`  generated files  ${join(dir, 'files')} (ground-truth.json, results.json)`);
        say(
          `  replay           ${result.replay.queries} queries, ${result.replay.warned} warned, ${result.replay.blocked} blocked, ${result.replay.mismatchCount} unexpected answers`,
        );
        say(
          `  review           yojin --data-dir ${join(dir, 'store')} demo review --files ${join(dir, 'files')}`,
        );
        const stop = async () => {
          await resolver.stop();
          await running.stop();
          await ctx.store.close();
          await env.close();
        };
        if (o.exit) return stop();
        say('\nRunning; Ctrl-C to stop.');
        await new Promise<void>((done) => {
          const end = () => void stop().then(done);
          process.once('SIGINT', end);
          process.once('SIGTERM', end);
        });
      },
    );

  knobs(
    demo
      .command('generate')
      .description("only write the synthetic ISP's files (for benchmarks and exercises)"),
  )
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--json', 'machine-readable output')
    .action(async (_o: Knobs & { out: string }, cmd: Command) => {
      // The knobs exist on `demo` too; commander may hand them to the parent, so read both.
      const o = cmd.optsWithGlobals() as Knobs & { out: string };
      const { s, evidence, indicators } = scenarioFrom(o);
      const { manifest } = await generate(s, {
        out: resolve(o.out),
        evidence,
        indicators,
        onProgress: (w) => process.stderr.write(`  ${w}\n`),
      });
      output(cmd, manifest.counts, () =>
        [
          `wrote ${resolve(o.out)}`,
          ...Object.entries(manifest.counts).map(([k, v]) => `  ${k.padEnd(24)} ${v}`),
        ].join('\n'),
      );
    });

  demo
    .command('review')
    .description(
      'exercise review: compare cases, notices, delistings and monthly figures with the ground truth',
    )
    .requiredOption('--files <dir>', 'the generated files (with ground-truth.json)')
    .option('--json', 'machine-readable output')
    .action(async (o: { files: string }, cmd: Command) => {
      const truth = readGroundTruth(o.files);
      await withContext(cmd, async (ctx) => {
        const r = await reviewExercise(ctx, truth);
        output(cmd, r, () => reviewText(r));
        if (!r.ok) process.exitCode = 1;
      });
    });
}
