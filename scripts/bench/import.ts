// `npm run bench -- import [--lines N] [--sizes N,M] [--backend pglite|postgres|both] [--hosts distinct|sample]`
// Generates an N-line URLhaus-format CSV and imports it (yojin import's code path: parser → canonicalise
// → COPY batches → set-based merge) into a fresh store; prints lines/s and peak RSS. With --sizes
// 100000,1000000 it shows whether RSS stays flat as the file grows. Each run is a child process so
// its peak RSS is its own. PostgreSQL: YOJIN_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres
// (a fresh database is created and dropped).
//
// Engine floor, printed under each import: the same indicators (kind, value, as the import stored
// them) COPYed into a fresh store's table that has nothing but a primary key and the unique
// (value, kind) index that deduplication and lookups need, in as many batches as the import had,
// each sorted. No import that keeps one row per indicator can be faster than that on the same
// engine, so it bounds what lines/s any data model could reach there. A second figure adds what
// issue #3 itself requires for each new indicator, reduced to its keys: one observation (source
// provenance) and one change-log row (a serial), each COPYed into a table with only its primary key
// (docs/reputation.md, "Issue #3: the engine floor").
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freshDatabaseUrl } from '../../src/testing/stores.js';
import { intArg, stringArg } from './support/args.js';

const args = process.argv.slice(2);

/**
 * `distinct` (default, the figures in docs/reputation.md): every line a new URL, two in three on a
 * host of their own (each derives a new host listing: ~1.67 indicators per line, the worst case).
 * `sample`: hosts repeat as in ../shared/data/feeds/urlhaus-online.csv (1,991 URLs: 89 % on 715 IP
 * hosts, ~2.5 URLs each; the rest on 48 domains, ~4.7 URLs each), so few lines derive a host.
 */
type HostMix = 'distinct' | 'sample';

function benchUrl(i: number, n: number, mix: HostMix): string {
  if (mix === 'sample') {
    if (i % 9 === 0) {
      const h = Math.floor(i / 9) % Math.max(1, Math.round(n / 9 / 4.7));
      return `http://h${h}.d${h % 997}-bench.xyz/p${i % 13}/payload${i}.exe`;
    }
    const ip = i % Math.max(1, Math.round((n * 8) / 9 / 2.5));
    return `http://${(ip >>> 16) & 255 || 45}.${(ip >>> 8) & 255}.${ip & 255}.${(ip % 200) + 20}:${8000 + (i % 1000)}/bins/x${i}.sh`;
  }
  const hosts = Math.max(1, Math.floor(n / 4));
  return i % 3 === 0
    ? `http://${(i >>> 16) & 255 || 45}.${(i >>> 8) & 255}.${i & 255}.${(i % 200) + 20}:${8000 + (i % 1000)}/bins/x${i}.sh`
    : `http://h${i % hosts}.d${i % 997}-bench.xyz/p${i % 13}/payload${i}.exe`;
}

async function generate(file: string, n: number, mix: HostMix) {
  const out = createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(
    '################################################################\n# abuse.ch URLhaus Database Dump (CSV) — generated for the benchmark\n#\n',
  );
  await write('# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n');
  for (let i = 0; i < n; i++) {
    const url = benchUrl(i, n, mix);
    const ts = `2026-10-${String(1 + (i % 28)).padStart(2, '0')} 12:${String(i % 60).padStart(2, '0')}:00`;
    await write(
      `"${3_000_000 + i}","${ts}","${url}","online","${ts}","malware_download","elf,Mozi","https://urlhaus.abuse.ch/url/${3_000_000 + i}/","bench"\n`,
    );
  }
  await new Promise<void>((r) => out.end(r));
}

/**
 * CPU seconds the PostgreSQL server spent for this database: the backends of `dbUrl`, polled (the
 * server runs on this host in the dev setup; /proc/<pid>/stat utime + stime). Undefined elsewhere.
 */
async function serverCpu(dbUrl: string) {
  const seen = new Map<number, number>();
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const self = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  let ok = true;
  const poll = async () => {
    const r = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of r.rows as { pid: number }[]) {
      if (pid === self) continue;
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        seen.set(pid, (Number(f[11]) + Number(f[12])) / 100);
      } catch {
        ok = false;
      }
    }
  };
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      await poll();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    /** Total so far (the last reading of every backend seen). */
    async read() {
      await poll();
      return ok ? [...seen.values()].reduce((a, b) => a + b, 0) : undefined;
    },
    async end() {
      stop = true;
      await loop;
      await c.end();
    },
  };
}

async function child() {
  const [file, backend, dbUrl] = [stringArg('file', ''), stringArg('backend', 'pglite'), stringArg('db', '')];
  const { validateConfig } = await import('../../src/config/index.js');
  const { createContext } = await import('../../src/app/index.js');
  const { getParser, readLines } = await import('../../src/pipeline/index.js');
  const { importFeed } = await import('../../src/reputation/index.js');
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const dir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'yojin-bench-')) : '';
  const store = await openStore(backend, dbUrl, dir);
  const ctx = await createContext(validateConfig({ log: { level: 'silent', format: 'json' } }), { store });
  const server = backend === 'postgres' ? await serverCpu(dbUrl) : undefined;
  const s0 = (await server?.read()) ?? 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await importFeed(ctx, {
    source: 'bench',
    format: 'urlhaus-csv',
    items: getParser('urlhaus-csv').parse(readLines(file)),
  });
  const secs = (performance.now() - t0) / 1000;
  // CPU seconds of this process: on a loaded machine wall time mostly measures the load; on PGlite
  // (in-process) this is all the import's work, on PostgreSQL only the client's share.
  const c1 = process.cpuUsage(c0);
  const cpu = (c1.user + c1.system) / 1e6;
  const s1 = await server?.read();
  const t1 = performance.now();
  const again = await importFeed(ctx, {
    source: 'bench',
    format: 'urlhaus-csv',
    items: getParser('urlhaus-csv').parse(readLines(file)),
  });
  const secs2 = (performance.now() - t1) / 1000;
  const c2 = process.cpuUsage(c0);
  const cpu2 = (c2.user + c2.system) / 1e6 - cpu;
  const s2 = await server?.read();
  await server?.end();
  const srv = s1 === undefined ? undefined : s1 - s0;
  const srv2 = s1 === undefined || s2 === undefined ? undefined : s2 - s1;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const floorOut = stringArg('floor-out', '');
  if (floorOut) await dumpIndicators(store, floorOut);
  await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ read: s.read, new: s.new, rejected: s.rejectedCount, derived: s.derivedHosts, secs, cpu, srv, secs2, cpu2, srv2, unchanged2: again.unchanged, peakMb: peak / 1048576 })}\n`,
  );
}

type BenchStore = Awaited<ReturnType<typeof openStore>>;

async function openStore(backend: string, dbUrl: string, dir: string) {
  const { PGliteStore, PostgresStore } = await import('../../src/store/index.js');
  return backend === 'pglite' ? PGliteStore.open(dir) : PostgresStore.open(dbUrl, 4);
}

/** The import's indicators in id order (= batch order, sorted within each batch), `kind\tvalue` lines. */
async function dumpIndicators(store: BenchStore, file: string) {
  const out = createWriteStream(file);
  let last = 0;
  for (;;) {
    const r = await store.query<{ id: number; kind: string; value: string }>(
      'SELECT id, kind, value FROM indicators WHERE id > $1 ORDER BY id LIMIT 100000',
      [last],
    );
    if (r.rows.length === 0) break;
    last = r.rows[r.rows.length - 1].id;
    out.write(r.rows.map((x) => `${x.kind}\t${x.value}\n`).join(''));
  }
  await new Promise<void>((r) => out.end(r));
}

/** The engine floor (see the header): COPY only, timed per batch. */
async function floorChild() {
  const [file, backend, dbUrl] = [
    stringArg('floor', ''),
    stringArg('backend', 'pglite'),
    stringArg('db', ''),
  ];
  const batches = intArg('batches', 1);
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  const dir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'yojin-bench-floor-')) : '';
  const store = await openStore(backend, dbUrl, dir);
  await store.exec(`CREATE TABLE floor (id bigserial PRIMARY KEY, kind text NOT NULL, value text NOT NULL);
    CREATE UNIQUE INDEX floor_value_kind ON floor (value text_pattern_ops, kind);
    CREATE TABLE floor_obs (indicator_id bigint, source_id int, PRIMARY KEY (indicator_id, source_id));
    CREATE TABLE floor_changes (serial bigserial PRIMARY KEY, entity_id bigint NOT NULL)`);
  const per = Math.ceil(rows.length / batches);
  let identityMs = 0;
  let restMs = 0;
  for (let i = 0; i < rows.length; i += per) {
    const batch = rows.slice(i, i + per).sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    // bigserial ids follow the COPY's order: batch row k gets id i + k + 1.
    const ids = batch.map((_, k) => [i + k + 1]);
    const t0 = performance.now();
    await store.transaction((tx) => tx.copyFrom('floor', ['kind', 'value'], batch));
    const t1 = performance.now();
    await store.transaction(async (tx) => {
      await tx.copyFrom(
        'floor_obs',
        ['indicator_id', 'source_id'],
        ids.map(([id]) => [id, 1]),
      );
      await tx.copyFrom('floor_changes', ['entity_id'], ids);
    });
    identityMs += t1 - t0;
    restMs += performance.now() - t1;
  }
  await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ rows: rows.length, identitySecs: identityMs / 1000, modelSecs: (identityMs + restMs) / 1000 })}\n`,
  );
}

/** A new database on the server at `pgUrl`, or undefined (printed) when the server is unreachable. */
async function freshDatabase(pgUrl: string) {
  try {
    return await freshDatabaseUrl(pgUrl);
  } catch (err) {
    console.log(`postgres  (skipped: ${pgUrl} unreachable: ${(err as Error).message})`);
    return undefined;
  }
}

async function main() {
  const sizes = stringArg('sizes', stringArg('lines', '100000')).split(',').map(Number);
  const which = stringArg('backend', 'both');
  const mix = stringArg('hosts', 'distinct') as HostMix;
  // The import's batch (the default reputation.import_batch_size): the floor COPYs in as many batches.
  const { validateConfig } = await import('../../src/config/index.js');
  const batchSize = validateConfig({}).reputation.import_batch_size;
  if (mix !== 'distinct' && mix !== 'sample') throw new Error('--hosts is distinct or sample');
  const pgUrl = process.env.YOJIN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const backends = which === 'both' ? ['pglite', 'postgres'] : [which];
  const self = fileURLToPath(import.meta.url);
  console.log(
    `import benchmark: URLhaus CSV (hosts: ${mix}), sizes ${sizes.join(', ')}, backends ${backends.join(', ')}`,
  );
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at start (${cpus().length} cores)`,
  );
  console.log(
    'backend   lines      1st import        lines/s  (CPU s: client+server)   re-import (idempotent)   lines/s  (CPU s)        peak RSS',
  );
  const cpuCol = (c: number, srv: number | undefined) =>
    `(${c.toFixed(1).padStart(5)}${srv === undefined ? '' : ` + ${srv.toFixed(1).padStart(5)}`})`.padEnd(17);
  for (const n of sizes) {
    const file = join(tmpdir(), `yojin-bench-urlhaus-${n}${mix === 'sample' ? '-sample' : ''}.csv`);
    if (!existsSync(file)) await generate(file, n, mix);
    for (const b of backends) {
      const db = b === 'postgres' ? await freshDatabase(pgUrl) : { url: '', drop: async () => {} };
      if (!db) continue;
      const dump = join(tmpdir(), `yojin-bench-indicators-${process.pid}.tsv`);
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          self,
          '--child',
          '--file',
          file,
          '--backend',
          b,
          '--db',
          db.url,
          '--floor-out',
          dump,
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      await db.drop();
      if (r.status !== 0) {
        rmSync(dump, { force: true });
        console.log(`${b.padEnd(9)} ${n}  FAILED\n${r.stderr}`);
        continue;
      }
      const x = JSON.parse(r.stdout.trim().split('\n').pop()!);
      console.log(
        `${b.padEnd(9)} ${String(x.read).padEnd(10)} ${x.secs.toFixed(1).padStart(7)} s ${String(Math.round(x.read / x.secs)).padStart(14)}  ${cpuCol(x.cpu, x.srv ?? undefined)}  ${x.secs2.toFixed(1).padStart(7)} s (${x.unchanged2} unchanged) ${String(Math.round(x.read / x.secs2)).padStart(9)}  ${cpuCol(x.cpu2, x.srv2 ?? undefined)}  ${x.peakMb.toFixed(0)} MB`,
      );
      const fdb = b === 'postgres' ? await freshDatabase(pgUrl) : { url: '', drop: async () => {} };
      if (!fdb) continue;
      const batches = Math.ceil(x.read / batchSize);
      const f = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          self,
          '--floor',
          dump,
          '--backend',
          b,
          '--db',
          fdb.url,
          '--batches',
          String(batches),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      await fdb.drop();
      rmSync(dump, { force: true });
      if (f.status !== 0) {
        console.log(`${b.padEnd(9)} floor FAILED\n${f.stderr}`);
        continue;
      }
      const y = JSON.parse(f.stdout.trim().split('\n').pop()!);
      const rate = (secs: number) => Math.round(x.read / secs);
      const share = (secs: number) => `${((100 * secs) / x.secs).toFixed(0)} %`;
      console.log(
        `  floor, ${y.rows} indicators (${(y.rows / x.read).toFixed(2)} per line), COPY only: identity (PK + unique (value, kind)) ${y.identitySecs.toFixed(1)} s = ${rate(y.identitySecs)} lines/s (import ${share(y.identitySecs)} of it); + one observation and one change-log row each (keys only) ${y.modelSecs.toFixed(1)} s = ${rate(y.modelSecs)} lines/s (import ${share(y.modelSecs)})`,
      );
    }
  }
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end; CPU s: this process (+ PostgreSQL backends of the bench database, from /proc)`,
  );
  console.log(
    'targets: ≥ 50k lines/s embedded, ≥ 100k lines/s PostgreSQL, peak RSS flat from 100k to 1M lines',
  );
}

if (args.includes('--child')) await child();
else if (args.includes('--floor')) await floorChild();
else await main();
