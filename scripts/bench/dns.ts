// Policy DNS resolver vs Unbound (same RPZ, same local upstream), with dnsperf.
// Usage: npm run bench -- dns [--entries N] [--seconds S] [--index-entries N]
//   --entries        listings loaded into both resolvers (default 100000)
//   --seconds        length of each dnsperf run (default 10)
//   --index-entries  size of the standalone index memory/build measurement (default 1000000)
//   --profile FILE   write V8 CPU profiles of yojin's cache-cold run to FILE and of its warm run to
//                    FILE with "-warm" before the extension (.cpuprofile)
// On a machine shared with other work, run it as `nice -n -10 npm run bench -- dns …` (as root): both
// resolvers, the upstream and dnsperf then get the CPUs first, and the ratio is less at the mercy of load.
// Uses PostgreSQL when YOJIN_TEST_DATABASE_URL is set (recommended: the store is then out of process,
// as in production), else the embedded PGlite store.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createContext } from '../../src/app/index.js';
import { validateConfig } from '../../src/config/index.js';
import { DnsResolver, PolicyIndex } from '../../src/dns/index.js';
import { createLogger } from '../../src/observability/index.js';
import type { PolicyEntry } from '../../src/policy/index.js';
import { PGliteStore, PostgresStore, type Store } from '../../src/store/index.js';
import { freePort } from '../../src/testing/ports.js';
import { freshDatabaseUrl } from '../../src/testing/stores.js';
import { intArg } from './support/args.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ENTRIES = intArg('entries', 100_000);
const SECONDS = intArg('seconds', 10);
const INDEX_ENTRIES = intArg('index-entries', 1_000_000);
const C2_IPS = 1000;
const PROFILE = process.argv.includes('--profile')
  ? process.argv[process.argv.indexOf('--profile') + 1]
  : undefined;

// ---- synthetic listings -------------------------------------------------------------------------
interface Listing {
  name: string;
  wildcard: boolean;
  category: string;
}
function listing(i: number): Listing {
  const category = i % 20 === 0 ? 'c2' : i % 3 === 0 ? 'phishing' : 'malware-distribution';
  return i % 10 === 0
    ? { name: `w${i}.bad${i % 997}.test`, wildcard: true, category }
    : { name: `s${i}.bad${i % 997}.test`, wildcard: false, category };
}
const c2Ip = (j: number) => `198.18.${(j >> 8) & 3}.${j & 255}`;
function entry(i: number): PolicyEntry {
  const l = listing(i);
  const measure = l.category === 'c2' ? 'block-c2' : 'warn-malicious-site';
  return {
    trigger: 'qname',
    name: l.name,
    wildcard: l.wildcard,
    category: l.category,
    measure,
    action: measure === 'block-c2' ? 'nxdomain' : 'warn',
    indicatorId: i + 1,
  };
}

// ---- 1. index memory and build time --------------------------------------------------------------
function measureIndex(n: number) {
  gc();
  const before = process.memoryUsage();
  let entries: PolicyEntry[] = Array.from({ length: n }, (_, i) => entry(i));
  const t0 = performance.now();
  const idx = PolicyIndex.build(1, entries);
  const buildMs = performance.now() - t0;
  entries = [];
  gc();
  const after = process.memoryUsage();
  // what the index holds, as the process sees it: heap + ArrayBuffers grown since before the entries existed
  const measuredBytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  // lookups: listed names, subdomains of wildcard listings, unlisted names
  const names = Array.from({ length: 200_000 }, (_, k) => {
    const l = listing((k * 7919) % n);
    return k % 3 === 0 ? l.name : k % 3 === 1 ? `x.${l.name}` : `n${k}.bench.test`;
  }).map((s) => s.split('').join('')); // flat strings, as decoded from packets
  const t1 = performance.now();
  let hits = 0;
  for (const q of names) if (idx.matchName(q)) hits++;
  const lookupNs = ((performance.now() - t1) * 1e6) / names.length;
  return { n: idx.qnameCount, buildMs, typedBytes: idx.qnameBytes(), measuredBytes, lookupNs, hits, idx };
}

// ---- helpers ----------------------------------------------------------------------------------------
interface Perf {
  /** CPU time the resolver process used per answered query (µs): comparable even on a loaded machine. */
  cpuUs?: number;
  qps: number;
  avgMs: number;
  maxMs: number;
  lost: number;
  sent: number;
}
/** dnsperf for `seconds` (queries still in flight at the time limit count as lost), or with
 * seconds = 0 exactly one pass over the file (then "lost" means unanswered within the 2 s timeout). */
async function dnsperf(port: number, file: string, seconds: number, maxOutstanding = 200): Promise<Perf> {
  const limit = seconds > 0 ? ['-l', String(seconds)] : ['-n', '1'];
  const child = spawn('dnsperf', [
    '-s',
    '127.0.0.1',
    '-p',
    String(port),
    '-d',
    file,
    ...limit,
    '-c',
    '4',
    '-q',
    String(maxOutstanding),
    '-t',
    '2',
  ]);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await once(child, 'close');
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    maxMs: num(/max ([\d.]+)\)/) * 1000,
    lost: num(/Queries lost:\s+(\d+)/),
    sent: num(/Queries sent:\s+(\d+)/),
  };
}

async function waitForDns(port: number) {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=1', 'probe.bench.test'], {
        stdio: 'ignore',
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** A bare Node.js UDP server that returns each query as its answer (QR set): no DNS work at all. */
const ECHO_SERVER = `const s = require('node:dgram').createSocket({ type: 'udp4', lookup: (a, f, cb) => cb(null, a, 4) });
s.on('message', (m, r) => { m[2] |= 0x80; s.send(m, r.port, r.address); });
s.bind(Number(process.argv[1]), '127.0.0.1');`;

/** Starts the in-process V8 profiler (the resolver runs in this process); the returned function stops it. */
async function startProfile(): Promise<() => Promise<object>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(method, (err, res) => (err ? reject(err) : resolve(res as Record<string, unknown>))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    return profile as object;
  };
}

/** The `server:` lines both Unbound instances share: one thread, in the foreground, files in `dir`. */
function unboundServer(port: number, dir: string): string {
  return `server:
  interface: 127.0.0.1
  port: ${port}
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  access-control: 127.0.0.0/8 allow`;
}

// ---- main ------------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'yojin-bench-dns-'));
const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
try {
  console.log(`# yojin DNS benchmark: ${ENTRIES} listings (+${C2_IPS} C&C IPs), ${SECONDS} s dnsperf runs`);
  const m = measureIndex(INDEX_ENTRIES);
  console.log(
    `policy index @ ${m.n} qname entries: build ${m.buildMs.toFixed(0)} ms; ${(m.typedBytes / m.n).toFixed(1)} bytes/entry (typed arrays), ${(m.measuredBytes / m.n).toFixed(1)} bytes/entry (heap+buffers delta after GC); lookup ${m.lookupNs.toFixed(0)} ns/name`,
  );

  // the shared upstream: an Unbound instance answering every name under bench.test from local
  // data (198.18.9.9; under c2.bench.test 198.18.0.5, a listed C&C address), so the upstream is
  // never the bottleneck and no real network is used.
  const upstreamPort = await freePort();
  writeFileSync(
    join(dir, 'upstream.conf'),
    `${unboundServer(upstreamPort, dir)}
  module-config: "iterator"
  local-zone: "bench.test." redirect
  local-data: "bench.test. 300 IN A 198.18.9.9"
  local-zone: "c2.bench.test." redirect
  local-data: "c2.bench.test. 300 IN A ${c2Ip(5)}"
remote-control:
  control-enable: no
`,
  );
  const upstream = spawn('unbound', ['-d', '-c', join(dir, 'upstream.conf')], { stdio: 'ignore' });
  cleanups.push(() => void upstream.kill('SIGTERM'));
  await waitForDns(upstreamPort);

  // the store, loaded with the listings
  let store: Store;
  const pgUrl = await freshDatabaseUrl();
  if (pgUrl) {
    store = await PostgresStore.open(pgUrl.url, 4);
    cleanups.push(() => pgUrl.drop());
  } else store = await PGliteStore.open();
  cleanups.push(() => store.close());
  const config = validateConfig({
    log: { level: 'warn', format: 'json' },
    dns: {
      listen: '127.0.0.1:0',
      upstreams: [`127.0.0.1:${upstreamPort}`],
      cache_size: 200_000,
      refresh_interval_s: 3600,
    },
  });
  const ctx = await createContext(config, { store, log: createLogger(config) });
  const t0 = performance.now();
  const now = '2026-11-01T00:00:00Z';
  await store.copyFrom(
    'indicators',
    ['id', 'kind', 'value', 'category', 'scope', 'first_seen', 'last_seen'],
    (function* () {
      for (let i = 0; i < ENTRIES; i++) {
        const l = listing(i);
        yield [i + 1, 'domain', l.name, l.category, l.wildcard ? 'domain' : 'host', now, now];
      }
      for (let j = 0; j < C2_IPS; j++) yield [ENTRIES + j + 1, 'ip', c2Ip(j), 'c2', 'address', now, now];
    })(),
  );
  await store.exec(`SELECT setval('indicators_id_seq', ${ENTRIES + C2_IPS})`);
  await store.copyFrom(
    'change_log',
    ['entity_id', 'op'],
    (function* () {
      for (let i = 1; i <= ENTRIES + C2_IPS; i++) yield [String(i), 'add'];
    })(),
  );
  console.log(
    `store (${store.kind}): loaded ${ENTRIES + C2_IPS} indicators in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const resolver = new DnsResolver(ctx);
  const t1 = performance.now();
  const { port: yojinPort } = await resolver.start();
  cleanups.unshift(() => resolver.stop());
  console.log(
    `yojin resolver: policy loaded from the store and indexed in ${(performance.now() - t1).toFixed(0)} ms, serial ${resolver.holder.index.serial}`,
  );

  // the same policy as an RPZ zone for Unbound (warn → local data with the warning address; c2 → CNAME .)
  const zone: string[] = [
    '$ORIGIN rpz.bench.',
    '$TTL 60',
    '@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60',
    '@ NS localhost.',
  ];
  for (let i = 0; i < ENTRIES; i++) {
    const l = listing(i);
    const rdata = l.category === 'c2' ? 'CNAME .' : 'A 127.0.0.1';
    zone.push(`${l.name} ${rdata}`);
    if (l.wildcard) zone.push(`*.${l.name} ${rdata}`);
  }
  for (let j = 0; j < C2_IPS; j++) zone.push(`32.${c2Ip(j).split('.').reverse().join('.')}.rpz-ip CNAME .`);
  writeFileSync(join(dir, 'rpz.zone'), `${zone.join('\n')}\n`);
  const zoneLines = zone.length;
  zone.length = 0; // the resolver under test shares this heap: don't make its GC walk the bench's data
  const unboundPort = await freePort();
  writeFileSync(
    join(dir, 'unbound.conf'),
    `${unboundServer(unboundPort, dir)}
  do-not-query-localhost: no
  module-config: "respip iterator"
  qname-minimisation: no
  # test. is one of Unbound's default local zones (RFC 6761): without this it answers every
  # *.bench.test name NXDOMAIN itself and never forwards, which is not the work yojin does
  local-zone: "test." nodefault
  msg-cache-size: 64m
  rrset-cache-size: 128m
  outgoing-range: 4096
  num-queries-per-thread: 4096
remote-control:
  control-enable: no
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@${upstreamPort}
rpz:
  name: "rpz.bench."
  zonefile: "${join(dir, 'rpz.zone')}"
`,
  );
  execFileSync('unbound-checkconf', [join(dir, 'unbound.conf')], { stdio: 'ignore' });
  const tU = performance.now();
  const unbound = spawn('unbound', ['-d', '-c', join(dir, 'unbound.conf')], { stdio: 'ignore' });
  cleanups.unshift(() => void unbound.kill('SIGTERM'));
  await waitForDns(unboundPort);
  console.log(
    `unbound: started with the ${zoneLines}-line RPZ in ${(performance.now() - tU).toFixed(0)} ms (1 thread)`,
  );

  // query mixes: warm = 2000 names repeated (20% listed); cold = unique names (20% listed)
  const listedName = (k: number) => {
    const l = listing(k % ENTRIES);
    return l.wildcard ? `www.${l.name}` : l.name;
  };
  const warm: string[] = [];
  for (let k = 0; k < 2000; k++)
    warm.push(
      `${k % 5 === 0 ? listedName(k * 37) : k % 20 === 1 ? `x${k}.c2.bench.test` : `n${k}.bench.test`} A`,
    );
  writeFileSync(join(dir, 'warm.txt'), `${warm.join('\n')}\n`);
  const coldLines = Math.max(200_000, SECONDS * 30_000);
  const cold: string[] = [];
  for (let k = 0; k < coldLines; k++)
    cold.push(
      `${k % 5 === 0 ? listedName(k * 7919) : k % 20 === 1 ? `x${k}.c2.bench.test` : `c${k}-${(k * 2654435761) >>> 0}.bench.test`} A`,
    );
  writeFileSync(join(dir, 'cold.txt'), `${cold.join('\n')}\n`);
  cold.length = 0;

  const row = (name: string, y: Perf, u: Perf) =>
    console.log(
      `${name.padEnd(11)} yojin ${y.qps.toFixed(0).padStart(7)} qps avg ${y.avgMs.toFixed(2)} ms max ${y.maxMs.toFixed(1)} ms lost ${y.lost} cpu ${y.cpuUs?.toFixed(1)} µs/q | unbound ${u.qps.toFixed(0).padStart(7)} qps avg ${u.avgMs.toFixed(2)} ms max ${u.maxMs.toFixed(1)} ms lost ${u.lost} cpu ${u.cpuUs?.toFixed(1)} µs/q | ratio yojin/unbound: qps ${(y.qps / u.qps).toFixed(2)}, by CPU per query ${((u.cpuUs ?? 0) / (y.cpuUs ?? 1)).toFixed(2)}`,
    );
  // CPU time of each resolver process around a run: on a shared machine QPS depends on what else runs,
  // CPU per query much less.
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const processCpuUs = (pid: number | undefined) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) / ticks) * 1e6; // utime + stime
  };
  const unboundCpuUs = () => processCpuUs(unbound.pid);
  const yojinCpuUs = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  // seconds 0: one pass over the file (the cold mix: every name asked once, so neither resolver
  // answers a repeat from its cache — looping for a fixed time made the faster one warm again)
  const measured = async (which: 'yojin' | 'unbound', file: string, seconds = SECONDS): Promise<Perf> => {
    const cpu = which === 'yojin' ? yojinCpuUs : unboundCpuUs;
    const before = cpu();
    const p = await dnsperf(which === 'yojin' ? yojinPort : unboundPort, file, seconds);
    p.cpuUs = (cpu() - before) / Math.max(1, p.sent - p.lost);
    return p;
  };
  // warm-up both caches, then measure
  await dnsperf(yojinPort, join(dir, 'warm.txt'), 2);
  await dnsperf(unboundPort, join(dir, 'warm.txt'), 2);
  const stopWarmProfile = PROFILE ? await startProfile() : undefined;
  const warmYojin = await measured('yojin', join(dir, 'warm.txt'));
  if (stopWarmProfile && PROFILE)
    writeFileSync(PROFILE.replace(/(\.cpuprofile)?$/, '-warm$1'), JSON.stringify(await stopWarmProfile()));
  const warmUnbound = await measured('unbound', join(dir, 'warm.txt'));
  row('cache-warm', warmYojin, warmUnbound);
  const stopProfile = PROFILE ? await startProfile() : undefined;
  const coldYojin = await measured('yojin', join(dir, 'cold.txt'), 0);
  if (stopProfile && PROFILE) writeFileSync(PROFILE, JSON.stringify(await stopProfile()));
  row('cache-cold', coldYojin, await measured('unbound', join(dir, 'cold.txt'), 0));
  // The floor for any Node.js UDP server on this machine now: a bare dgram echo (no DNS work at all)
  // under the same warm mix. yojin's warm path is within a few µs of it (answer reuse).
  const echoPort = await freePort();
  const echo = spawn(process.execPath, ['-e', ECHO_SERVER, String(echoPort)], { stdio: 'ignore' });
  cleanups.unshift(() => void echo.kill('SIGTERM'));
  await waitForDns(echoPort);
  const echoBefore = processCpuUs(echo.pid);
  const e = await dnsperf(echoPort, join(dir, 'warm.txt'), SECONDS);
  const echoCpu = (processCpuUs(echo.pid) - echoBefore) / Math.max(1, e.sent - e.lost);
  echo.kill('SIGTERM');
  console.log(
    `node UDP echo floor (warm mix): ${e.qps.toFixed(0)} qps, cpu ${echoCpu.toFixed(1)} µs/q — ratio echo/unbound warm ${(e.qps / warmUnbound.qps).toFixed(2)}`,
  );
  console.log(
    `(load average during the runs: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs)`,
  );

  // a 10k-change delta and a full rebuild, each applied while dnsperf runs
  // one pass over a file sized for ~SECONDS at the warm rate, so every query is accounted for
  const swapLines: string[] = [];
  for (let k = 0; swapLines.length < Math.max(20_000, warmYojin.qps * SECONDS); k++)
    swapLines.push(warm[k % warm.length]);
  writeFileSync(join(dir, 'swap.txt'), `${swapLines.join('\n')}\n`);
  for (const kind of ['delta', 'full'] as const) {
    if (kind === 'delta') {
      // the store changes are written first: what runs during dnsperf is the resolver applying them
      // (with PGlite the writes themselves would hold this shared thread, which is not the swap)
      const half = 5000;
      const base = ENTRIES + C2_IPS;
      await store.copyFrom(
        'indicators',
        ['id', 'kind', 'value', 'category', 'scope', 'first_seen', 'last_seen'],
        (function* () {
          for (let i = 0; i < half; i++)
            yield [base + i + 1, 'domain', `new${i}.delta.test`, 'phishing', 'host', now, now];
        })(),
      );
      await store.query(`UPDATE indicators SET status = 'delisted' WHERE id <= ${half}`);
      await store.copyFrom(
        'change_log',
        ['entity_id', 'op'],
        (function* () {
          for (let i = 0; i < half; i++) yield [String(base + i + 1), 'add'];
          for (let i = 1; i <= half; i++) yield [String(i), 'remove'];
        })(),
      );
    }
    const perf = dnsperf(yojinPort, join(dir, 'swap.txt'), 0);
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    // the histogram records a delay from its second tick on: let it take its first before the swap,
    // or a block at once after enable() goes unseen
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    if (kind === 'delta') await resolver.holder.refresh();
    else await resolver.holder.loadFull('bench');
    const swapMs = performance.now() - t;
    await new Promise((r) => setTimeout(r, 20));
    loop.disable();
    const p = await perf;
    console.log(
      `${kind === 'delta' ? '10k delta' : 'full rebuild'} during dnsperf: applied in ${swapMs.toFixed(0)} ms (serial ${resolver.holder.index.serial}); event loop blocked at most ${(loop.max / 1e6).toFixed(1)} ms; dnsperf ${p.qps.toFixed(0)} qps, lost ${p.lost} of ${p.sent}, worst latency ${p.maxMs.toFixed(1)} ms`,
    );
  }
} finally {
  for (const c of cleanups) await Promise.resolve(c()).catch(() => {});
}
process.exit(0);
