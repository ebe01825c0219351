// `npm run bench -- import [--lines N] [--sizes N,M] [--backend pglite|postgres|both] [--hosts distinct|sample]`
// Generates an N-line URLhaus-format CSV and imports it (yojin import's code path: parser → canonicalise
// → COPY batches → set-based merge) into a fresh store; prints lines/s and peak RSS. With --sizes
// 100000,1000000 it shows whether RSS stays flat as the file grows. Each run is a child process so
// its peak RSS is its own. PostgreSQL: YOJIN_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres
// (a fresh database is created and dropped).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringArg } from './support/args.js';

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
  const { PGliteStore, PostgresStore } = await import('../../src/store/index.js');
  const { getParser, readLines } = await import('../../src/pipeline/index.js');
  const { importFeed } = await import('../../src/reputation/index.js');
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const dir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'yojin-bench-')) : '';
  const store = backend === 'pglite' ? await PGliteStore.open(dir) : await PostgresStore.open(dbUrl, 4);
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
  await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ read: s.read, new: s.new, rejected: s.rejectedCount, derived: s.derivedHosts, secs, cpu, srv, secs2, cpu2, srv2, unchanged2: again.unchanged, peakMb: peak / 1048576 })}\n`,
  );
}

async function main() {
  const sizes = stringArg('sizes', stringArg('lines', '100000')).split(',').map(Number);
  const which = stringArg('backend', 'both');
  const mix = stringArg('hosts', 'distinct') as HostMix;
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
      let db = '';
      let drop = async () => {};
      if (b === 'postgres') {
        const name = `yojin_bench_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: pgUrl });
        try {
          await admin.connect();
        } catch (err) {
          console.log(`postgres  (skipped: ${pgUrl} unreachable: ${(err as Error).message})`);
          continue;
        }
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const u = new URL(pgUrl);
        u.pathname = `/${name}`;
        db = u.toString();
        drop = async () => {
          const a = new pg.Client({ connectionString: pgUrl });
          await a.connect();
          await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await a.end();
        };
      }
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', self, '--child', '--file', file, '--backend', b, '--db', db],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      await drop();
      if (r.status !== 0) {
        console.log(`${b.padEnd(9)} ${n}  FAILED\n${r.stderr}`);
        continue;
      }
      const x = JSON.parse(r.stdout.trim().split('\n').pop()!);
      console.log(
        `${b.padEnd(9)} ${String(x.read).padEnd(10)} ${x.secs.toFixed(1).padStart(7)} s ${String(Math.round(x.read / x.secs)).padStart(14)}  ${cpuCol(x.cpu, x.srv ?? undefined)}  ${x.secs2.toFixed(1).padStart(7)} s (${x.unchanged2} unchanged) ${String(Math.round(x.read / x.secs2)).padStart(9)}  ${cpuCol(x.cpu2, x.srv2 ?? undefined)}  ${x.peakMb.toFixed(0)} MB`,
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
else await main();
