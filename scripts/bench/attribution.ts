// Attribution benchmark: N evidence rows against M assignment intervals (a realistic mix of dynamic
// IPv4 with daily reassignment, CGNAT port blocks and IPv6 delegated prefixes), attributed by yojin on
// the embedded store (PGlite) and on PostgreSQL, and the same interval join done by DuckDB on the same
// data in the same run. Prints load and attribution times and the ratios.
//
//   npm run bench -- attribution [--evidence N] [--assignments M] [--pg URL | --no-pg] [--no-pglite]
//   (defaults 100000 / 1000000; the target is --evidence 1000000 --assignments 10000000)

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createContext } from '../../src/app/index.js';
import { attributePending } from '../../src/attribution/index.js';
import { ManualClock } from '../../src/clock/index.js';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/index.js';
import { migrate, PGliteStore, PostgresStore, type Store } from '../../src/store/index.js';
import { Rng } from '../../src/util/rng.js';
import { intArg, stringArg } from './support/args.js';

const args = process.argv.slice(2);
const N = intArg('evidence', 100_000);
const M = intArg('assignments', 1_000_000);
const PG_URL = args.includes('--no-pg') ? '' : stringArg('pg', 'postgres://postgres@127.0.0.1:5432/postgres');
const WITH_PGLITE = !args.includes('--no-pglite');
const DAYS = 30;
const SKEW = 120;
const T0 = Date.UTC(2026, 9, 1) / 1000; // epoch seconds

// The mix: 60 % dynamic IPv4 rows, 25 % CGNAT port-block rows, 15 % IPv6 delegated-prefix rows.
const BLOCKS = 31; // 2048-port blocks from 1024
const P4 = Math.max(1, Math.ceil((0.6 * M) / DAYS)); // dynamic addresses, reassigned daily
const E = Math.max(1, Math.ceil((0.25 * M) / (BLOCKS * DAYS))); // CGNAT external addresses
const WEEKS = Math.ceil(DAYS / 7);
const N6 = Math.max(1, Math.ceil((0.15 * M) / WEEKS)); // IPv6 /56 prefixes, reassigned weekly

const v4 = (base: number, i: number) => {
  const a = base + i;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
};
const DYN_BASE = 10 << 24; // 10.0.0.0/8
const CGN_BASE = ((198 << 24) | (18 << 16)) >>> 0; // 198.18.0.0/15
const v6prefix = (p: number) => {
  const x = p.toString(16).padStart(6, '0'); // 24 bits after 2001:db8: → /56
  return `2001:db8:${x.slice(0, 4)}:${x.slice(4)}00::`;
};
const V6_BASE = 0x20010db8n << 96n;

interface Asg {
  sub: string;
  prefix: string;
  plen: number;
  lo: number | null;
  hi: number | null;
  s: number;
  u: number | null;
  kind: string;
  // numeric address range for DuckDB
  alo: bigint;
  ahi: bigint;
}

function* assignments(): Generator<Asg> {
  const r = new Rng(1);
  for (let i = 0; i < P4; i++) {
    const off = r.int(86400);
    const addr = BigInt(DYN_BASE + i);
    for (let d = 0; d < DAYS; d++) {
      const s = T0 + d * 86400 + off;
      yield {
        sub: `d${(i + d * 7919) % P4}`,
        prefix: v4(DYN_BASE, i),
        plen: 32,
        lo: null,
        hi: null,
        s,
        u: d === DAYS - 1 ? null : s + 86400,
        kind: 'radius',
        alo: addr,
        ahi: addr,
      };
    }
  }
  for (let e = 0; e < E; e++) {
    const addr = BigInt(CGN_BASE + e);
    for (let b = 0; b < BLOCKS; b++)
      for (let d = 0; d < DAYS; d++) {
        const s = T0 + d * 86400 + ((e * 37 + b * 11) % 3600);
        yield {
          sub: `c${(e * BLOCKS + b + d * 13) % (E * BLOCKS)}`,
          prefix: v4(CGN_BASE, e),
          plen: 32,
          lo: 1024 + b * 2048,
          hi: 1024 + b * 2048 + 2047,
          s,
          u: d === DAYS - 1 ? null : s + 86400,
          kind: 'cgnat',
          alo: addr,
          ahi: addr,
        };
      }
  }
  for (let p = 0; p < N6; p++) {
    const lo = V6_BASE | (BigInt(p) << 72n);
    for (let w = 0; w < WEEKS; w++) {
      const s = T0 + w * 7 * 86400;
      yield {
        sub: `v${(p + w * 31) % N6}`,
        prefix: v6prefix(p),
        plen: 56,
        lo: null,
        hi: null,
        s,
        u: w === WEEKS - 1 ? null : s + 7 * 86400,
        kind: 'radius-v6',
        alo: lo,
        ahi: lo | ((1n << 72n) - 1n),
      };
    }
  }
}

interface Ev {
  addr: string;
  num: bigint;
  port: number | null;
  t: number;
}

function* evidence(): Generator<Ev> {
  const r = new Rng(2);
  for (let k = 0; k < N; k++) {
    const x = r.next();
    const t = T0 + r.int(DAYS * 86400);
    if (x < 0.6) {
      const i = r.int(P4);
      yield { addr: v4(DYN_BASE, i), num: BigInt(DYN_BASE + i), port: 1024 + r.int(60000), t };
    } else if (x < 0.85) {
      const e = r.int(E);
      const port = r.next() < 0.03 ? null : 1024 + r.int(BLOCKS * 2048);
      yield { addr: v4(CGN_BASE, e), num: BigInt(CGN_BASE + e), port, t };
    } else if (x < 0.98) {
      const p = r.int(N6);
      const host = BigInt(r.int(65536));
      const num = V6_BASE | (BigInt(p) << 72n) | (BigInt(r.int(65536)) << 64n) | host;
      const h = num.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
      yield { addr: h, num, port: 1024 + r.int(60000), t };
    } else {
      const i = r.int(256);
      yield {
        addr: v4(((192 << 24) | (0 << 16) | (2 << 8)) >>> 0, i),
        num: BigInt((((192 << 24) | (2 << 8)) >>> 0) + i),
        port: 4444,
        t,
      };
    }
  }
}

const iso = (s: number) => new Date(s * 1000).toISOString();
const secs = (ms: number) => (ms / 1000).toFixed(1);
/** CPU seconds of this process since `from` (for PostgreSQL the server's own CPU is not in it). */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return ((c.user + c.system) / 1e6).toFixed(1);
};
const load = () => loadavg()[0].toFixed(1);

/** Bulk load, as an operator's first import would be: COPY, then VACUUM (ANALYZE) so that the
 *  planner has statistics and the first reads do not each set hint bits and dirty every page. */
async function loadStore(store: Store) {
  const t = performance.now();
  await store.copyFrom(
    'assignments',
    ['subscriber_id', 'prefix', 'port_range', 'during', 'kind', 'source'],
    (function* () {
      for (const a of assignments())
        yield [
          a.sub,
          `${a.prefix}/${a.plen}`,
          a.lo === null ? null : `[${a.lo},${a.hi}]`,
          `[${iso(a.s)},${a.u === null ? '' : iso(a.u)})`,
          a.kind,
          'bench',
        ];
    })(),
  );
  await store.copyFrom(
    'evidence',
    ['measure', 'addr', 'port', 'seen_at', 'kind', 'source', 'imported_at'],
    (function* () {
      for (const e of evidence())
        yield ['notify-infected', e.addr, e.port, iso(e.t), 'sinkhole', 'bench', iso(T0)];
    })(),
  );
  const copied = performance.now() - t;
  await store.exec('VACUUM (ANALYZE) assignments');
  await store.exec('VACUUM (ANALYZE) evidence');
  return { ms: performance.now() - t, copyMs: copied };
}

async function runYojin(name: string, store: Store) {
  await migrate(store);
  const config = validateConfig({
    log: { level: process.env.BENCH_TRACE ? 'debug' : 'silent', format: 'json' },
    attribution: { clock_skew_seconds: SKEW, batch_size: Math.max(N, 1) },
  });
  const ctx = await createContext(config, {
    store,
    clock: new ManualClock('2026-11-01T00:00:00Z'),
    log: createLogger(config),
  });
  const loaded = await loadStore(store);
  const l0 = load();
  const c0 = process.cpuUsage();
  const t = performance.now();
  const report = await attributePending(ctx);
  const ms = performance.now() - t;
  console.log(
    `${name.padEnd(10)} load ${secs(loaded.ms)} s (COPY ${secs(loaded.copyMs)} s)   attribute ${secs(ms)} s, CPU ${cpuSince(c0)} s, load average ${l0} → ${load()}   (${Math.round(N / (ms / 1000))} evidence/s)   ${JSON.stringify(report)}`,
  );
  return { ms, report };
}

async function runDuck(dir: string) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const tl = performance.now();
  const aFile = join(dir, 'asg.csv');
  const eFile = join(dir, 'ev.csv');
  const write = async (file: string, lines: Iterable<string>) => {
    const w = createWriteStream(file);
    for (const l of lines) if (!w.write(l)) await once(w, 'drain');
    w.end();
    await once(w, 'finish');
  };
  await write(
    aFile,
    (function* () {
      for (const a of assignments())
        yield `${a.sub},${a.alo},${a.ahi},${a.lo ?? ''},${a.hi ?? ''},${a.s},${a.u ?? 4102444800}\n`;
    })(),
  );
  await write(
    eFile,
    (function* () {
      let id = 0;
      for (const e of evidence()) yield `${++id},${e.num},${e.port ?? ''},${e.t}\n`;
    })(),
  );
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TABLE asg AS SELECT * FROM read_csv('${aFile}', header = false,
    columns = {'sub': 'VARCHAR', 'alo': 'HUGEINT', 'ahi': 'HUGEINT', 'plo': 'INTEGER', 'phi': 'INTEGER', 's': 'BIGINT', 'u': 'BIGINT'})`);
  await c.run(`CREATE TABLE ev AS SELECT * FROM read_csv('${eFile}', header = false,
    columns = {'id': 'BIGINT', 'a': 'HUGEINT', 'port': 'INTEGER', 't': 'BIGINT'})`);
  const loadMs = performance.now() - tl;
  const l0 = load();
  const c0 = process.cpuUsage();
  const t = performance.now();
  // The same rules as src/attribution: address in range, interval overlapping t ± skew, port in the
  // block where the address is shared; one distinct subscriber → attributed, else a reason.
  const r = await c.runAndReadAll(`
    WITH cand AS (
      SELECT e.id, a.sub, a.plo IS NOT NULL AS shared, (e.port IS NOT NULL AND e.port BETWEEN a.plo AND a.phi) AS port_ok
        FROM ev e JOIN asg a ON e.a >= a.alo AND e.a <= a.ahi AND a.s <= e.t + ${SKEW} AND a.u > e.t - ${SKEW}),
    v AS (
      SELECT e.id, CASE
          WHEN count(c.id) = 0 THEN 'no-assignment'
          WHEN bool_or(c.shared) AND e.port IS NULL THEN 'port-missing'
          WHEN count(DISTINCT c.sub) FILTER (WHERE NOT c.shared OR c.port_ok) = 0 THEN
            CASE WHEN bool_or(c.shared) THEN 'no-assignment-for-port' ELSE 'no-assignment' END
          WHEN count(DISTINCT c.sub) FILTER (WHERE NOT c.shared OR c.port_ok) > 1 THEN 'ambiguous'
          ELSE 'attributed' END AS outcome
        FROM ev e LEFT JOIN cand c ON c.id = e.id GROUP BY e.id, e.port)
    SELECT outcome, count(*) AS n FROM v GROUP BY outcome ORDER BY outcome`);
  const ms = performance.now() - t;
  const outcomes = Object.fromEntries(r.getRowObjects().map((x) => [String(x.outcome), Number(x.n)]));
  console.log(
    `${'duckdb'.padEnd(10)} load ${secs(loadMs)} s   join ${secs(ms)} s, CPU ${cpuSince(c0)} s (all threads), load average ${l0} → ${load()}   (${Math.round(N / (ms / 1000))} evidence/s)   ${JSON.stringify(outcomes)}`,
  );
  c.closeSync?.();
  return { ms, outcomes };
}

function same(
  report: { attributed: number; unattributed: Record<string, number> },
  duck: Record<string, number>,
) {
  const ours = { attributed: report.attributed, ...report.unattributed } as Record<string, number>;
  const keys = new Set([...Object.keys(ours), ...Object.keys(duck)]);
  return [...keys].every((k) => (ours[k] ?? 0) === (duck[k] ?? 0));
}

async function main() {
  console.log(
    `attribution benchmark on ${availableParallelism()} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )}: ${N} evidence vs ${M} assignment intervals (dynamic IPv4 ${P4} addresses × ${DAYS} days, CGNAT ${E} addresses × ${BLOCKS} port blocks × ${DAYS} days, IPv6 ${N6} /56 × ${WEEKS} weeks), clock skew ${SKEW} s`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'yojin-bench-attr-'));
  const results: Record<
    string,
    { ms: number; report: { attributed: number; unattributed: Record<string, number> } }
  > = {};
  try {
    const duck = await runDuck(dir);
    if (WITH_PGLITE) {
      const store = await PGliteStore.open(join(dir, 'pglite'));
      try {
        results.pglite = await runYojin('pglite', store);
      } finally {
        await store.close();
      }
    }
    if (PG_URL) {
      const name = `yojin_bench_${process.pid}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(PG_URL);
      url.pathname = `/${name}`;
      const store = await PostgresStore.open(url.toString(), 4);
      try {
        results.postgres = await runYojin('postgres', store);
      } finally {
        await store.close();
        if (!args.includes('--keep-db')) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        else console.log(`kept database ${name}`);
        await admin.end();
      }
    }
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `${name}/duckdb ratio: ${(r.ms / duck.ms).toFixed(2)}× (yojin ${secs(r.ms)} s incl. recording outcomes and audit records; duckdb ${secs(duck.ms)} s join only)   outcomes identical: ${same(r.report, duck.outcomes) ? 'yes' : 'NO'}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
