// npm run bench -- verdicts-canon [URLS] [LISTED]
// In-process URL verdict work of the lookup client on one core: Safe Browsing canonicalisation,
// host-suffix × path-prefix expressions, SHA-256 of each expression and a check of its 4-byte prefix
// against a local list of LISTED prefixes. Prints URLs/s for each stage.
import { hash } from 'node:crypto';
import { expressionsOfParts } from '../../src/canon/expressions.js';
import { canonicalUrl, canonicalUrlParts } from '../../src/canon/index.js';
import { PrefixSet } from '../../src/lookup/prefix-set.js';
import { sha256Prefix32 } from '../../src/lookup/sha256.js';

const N = Number(process.argv[2] ?? 200_000);
const LISTED = Number(process.argv[3] ?? 1_000_000);

// Deterministic pseudo-random generator so runs are comparable.
let seed = 42;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const words = [
  'login',
  'secure',
  'update',
  'account',
  'paypal',
  'bank',
  'img',
  'wp-content',
  'index.php',
  'a',
  'dl',
  'files',
];
const tlds = ['com', 'net', 'jp', 'co.jp', 'org', 'info', 'xyz', 'ru'];
function makeUrl(i: number): string {
  const kind = rnd(10);
  let host: string;
  if (kind === 0) host = `${rnd(223) + 1}.${rnd(256)}.${rnd(256)}.${rnd(256)}:${8000 + rnd(100)}`;
  else if (kind === 1) host = `WWW.Site${i}.${tlds[rnd(tlds.length)]}`;
  else host = `${rnd(3) ? `${words[rnd(words.length)]}.` : ''}host${i % 50_000}.${tlds[rnd(tlds.length)]}`;
  const depth = rnd(5);
  const segs: string[] = [];
  for (let d = 0; d < depth; d++) segs.push(words[rnd(words.length)] + (rnd(4) ? '' : '%20x'));
  const q = rnd(3) === 0 ? `?id=${rnd(100000)}&s=${words[rnd(words.length)]}` : '';
  const frag = rnd(10) === 0 ? '#top' : '';
  return `${rnd(2) ? 'http' : 'https'}://${host}/${segs.join('/')}${rnd(5) === 0 ? '/' : ''}${q}${frag}`;
}

const urls = Array.from({ length: N }, (_, i) => makeUrl(i));
const prefixes = new Set<number>();
for (let i = 0; i < LISTED; i++)
  prefixes.add(hash('sha256', `listed${i}.example/`, 'buffer').readUInt32BE(0));
// make ~1% of URLs hit
for (let i = 0; i < N; i += 100) {
  const p = canonicalUrlParts(urls[i]);
  prefixes.add(hash('sha256', `${p.host}/`, 'buffer').readUInt32BE(0));
}

// Reports URLs per CPU-second of this process (what one core does, even on a busy machine) and per
// wall-clock second (what it did here, including waiting for the CPU).
function time(label: string, fn: () => number) {
  fn(); // warm-up
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const extra = fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const f = (x: number) => Math.round(x).toLocaleString('en-US').padStart(11);
  console.log(
    `${label.padEnd(52)} ${f(N / cpu)} URLs/CPU-s ${f(N / wall)} URLs/wall-s  (${extra.toLocaleString('en-US')})`,
  );
}

console.log(
  `verdicts-canon: ${N.toLocaleString('en-US')} URLs, ${prefixes.size.toLocaleString('en-US')} listed prefixes, node ${process.version}`,
);
time('canonicalUrl', () => {
  let n = 0;
  for (const u of urls) n += canonicalUrl(u).length;
  return n;
});
let exprCount = 0;
time('canonicalise + expressions', () => {
  exprCount = 0;
  for (const u of urls) exprCount += expressionsOfParts(canonicalUrlParts(u)).length;
  return exprCount;
});
time('… + SHA-256 (node:crypto) + Set check', () => {
  let hits = 0;
  for (const u of urls) {
    for (const e of expressionsOfParts(canonicalUrlParts(u))) {
      if (prefixes.has(hash('sha256', e, 'buffer').readUInt32BE(0))) hits++;
    }
  }
  return hits;
});
time('… + SHA-256 prefix (JS) + Set check', () => {
  let hits = 0;
  for (const u of urls) {
    for (const e of expressionsOfParts(canonicalUrlParts(u))) if (prefixes.has(sha256Prefix32(e))) hits++;
  }
  return hits;
});
const compact = PrefixSet.from(prefixes);
time('… + SHA-256 prefix (JS) + PrefixSet check (client)', () => {
  let hits = 0;
  for (const u of urls) {
    for (const e of expressionsOfParts(canonicalUrlParts(u))) if (compact.has(sha256Prefix32(e))) hits++;
  }
  return hits;
});
// The parts on their own, per expression, to see where the time goes.
const allExpr = urls.flatMap((u) => expressionsOfParts(canonicalUrlParts(u)));
function perOp(label: string, fn: () => number) {
  fn();
  const c0 = process.cpuUsage();
  const r = fn();
  const c = process.cpuUsage(c0);
  const ns = (((c.user + c.system) * 1000) / allExpr.length).toFixed(0);
  console.log(`${label.padEnd(52)} ${ns.padStart(11)} ns CPU/expression  (${r})`);
}
perOp('SHA-256 prefix, JS', () => {
  let x = 0;
  for (const e of allExpr) x ^= sha256Prefix32(e);
  return x;
});
perOp('SHA-256, node:crypto', () => {
  let x = 0;
  for (const e of allExpr) x ^= hash('sha256', e, 'buffer').readUInt32BE(0);
  return x;
});
const hashed = Uint32Array.from(allExpr, (e) => sha256Prefix32(e));
perOp('PrefixSet.has', () => {
  let x = 0;
  for (const h of hashed) if (compact.has(h)) x++;
  return x;
});
perOp('Set.has', () => {
  let x = 0;
  for (const h of hashed) if (prefixes.has(h)) x++;
  return x;
});
console.log(
  `(${(exprCount / N).toFixed(1)} expressions per URL on average; target ≥ 100,000 URLs/s on one core)`,
);
