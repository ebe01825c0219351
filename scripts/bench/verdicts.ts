// `npm run bench -- verdicts [--indicators N] [--urls M] [--from-store]`
// In-process verdicts as `yojin check` / DNS would compute them, on one core: canonicalise a URL,
// build its ≤ 30 Safe Browsing expressions, look each up in a VerdictIndex of N listings (default
// 1M: 70% URLs, 25% host/domain names, 5% addresses and networks), plus the host and its parents.
// Prints URLs/s (target ≥ 100k/s against 1M). --from-store also measures building the index from
// an embedded store holding --store-indicators listings (default 100k).
import { performance } from 'node:perf_hooks';
import { canonicalUrl, urlExpressions } from '../../src/canon/index.js';
import { VerdictIndex } from '../../src/reputation/index.js';
import { intArg } from './support/args.js';

const args = process.argv.slice(2);
const N = intArg('indicators', 1_000_000);
const M = intArg('urls', 300_000);

let seed = 7;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const word = () => ['login', 'secure', 'img', 'wp-content', 'dl', 'bins', 'update', 'a', 'b'][rnd(9)];

const t0 = performance.now();
const idx = new VerdictIndex();
const listedUrls: string[] = [];
for (let i = 0; i < N; i++) {
  const entry = { id: i + 1, category: 'malware-distribution', confidence: 0.5 };
  const r = i % 20;
  if (r < 14) {
    const u = `http://h${i}.evil${i % 5000}.xyz/${word()}/${i}.exe`;
    idx.add('url', u.slice(7), 'url', entry);
    if (listedUrls.length < 50_000) listedUrls.push(u);
  } else if (r < 19) idx.add('domain', `bad${i}.example${i % 300}.top`, r === 18 ? 'domain' : 'host', entry);
  else if (i % 2)
    idx.add('ip', `${45 + (i % 150)}.${(i >> 8) & 255}.${i & 255}.${(i >> 16) & 255}`, 'address', entry);
  else idx.add('cidr', `${45 + (i % 150)}.${(i >> 8) & 255}.${i & 255}.0/24`, 'address', entry);
}
const buildMs = performance.now() - t0;
console.log(
  `VerdictIndex: ${idx.size} listings built in ${(buildMs / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
);

// The URLs to check: 10% listed, the rest clean-looking with 2–4 path components and some queries.
const urls: string[] = [];
for (let i = 0; i < M; i++) {
  if (i % 10 === 0) urls.push(listedUrls[rnd(listedUrls.length)]);
  else
    urls.push(
      `${rnd(2) ? 'https' : 'http'}://${rnd(3) ? 'www.' : ''}site${rnd(100000)}.${['com', 'jp', 'co.jp', 'net'][rnd(4)]}/${word()}/${word()}${rnd(2) ? `/${rnd(1000)}.html` : '/'}${rnd(4) ? '' : `?q=${rnd(99)}`}`,
    );
}

function run(label: string, fn: (u: string) => unknown) {
  for (let i = 0; i < 20_000; i++) fn(urls[i % urls.length]); // warm-up
  const t = performance.now();
  let sink = 0;
  for (const u of urls) sink += fn(u) ? 1 : 0;
  const secs = (performance.now() - t) / 1000;
  console.log(
    `${label.padEnd(44)} ${Math.round(urls.length / secs)
      .toString()
      .padStart(9)} URLs/s  (${sink} truthy)`,
  );
  return urls.length / secs;
}

run('canonicalise only', (u) => canonicalUrl(u));
run('canonicalise + expressions', (u) => urlExpressions(u).length);
const full = run('full verdict (VerdictIndex.matchUrl)', (u) => idx.matchUrl(u).length > 0);
console.log(
  `target ≥ 100000 URLs/s against 1M listings: ${full >= 100_000 ? 'met' : 'NOT met'} (${Math.round(full)})`,
);

if (args.includes('--from-store')) {
  const { PGliteStore, migrate } = await import('../../src/store/index.js');
  const n = intArg('store-indicators', 100_000);
  const store = await PGliteStore.open();
  await migrate(store);
  await store.copyFrom(
    'indicators',
    ['kind', 'value', 'expr', 'category', 'status', 'scope', 'first_seen', 'last_seen'],
    (function* () {
      const now = new Date();
      for (let i = 0; i < n; i++) {
        const v = `http://h${i}.evil${i % 5000}.xyz/x/${i}.exe`;
        yield ['url', v, v.slice(7), 'malware-distribution', 'active', 'url', now, now];
      }
    })(),
  );
  const t = performance.now();
  const fromStore = await VerdictIndex.fromStore(store);
  console.log(
    `VerdictIndex.fromStore: ${fromStore.size} listings in ${((performance.now() - t) / 1000).toFixed(1)} s (PGlite)`,
  );
  await store.close();
}
