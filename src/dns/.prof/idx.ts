import { PolicyIndex } from '../policy-index.js';
const n = Number(process.argv[2] ?? 1000000);
let entries = Array.from({ length: n }, (_, i) => ({ trigger: 'qname' as const, name: `s${i}.bad${i % 997}.test`, wildcard: i % 10 === 0, measure: 'warn-malicious-site' as const, action: 'warn' as const, category: 'phishing', indicatorId: i + 1 }));
let t = performance.now();
const idx = PolicyIndex.build(1, entries);
console.log('build', (performance.now() - t).toFixed(0), 'ms');
entries = [];
const names = Array.from({ length: 200000 }, (_, k) => (k % 2 ? `n${k}.bench.test` : `s${(k * 7919) % n}.bad${((k * 7919) % n) % 997}.test`)).map((s) => s.split('').join(''));
for (let r = 0; r < 3; r++) {
  t = performance.now(); let h = 0;
  for (const q of names) if (idx.matchName(q)) h++;
  console.log(((performance.now() - t) * 1e6 / names.length).toFixed(0), 'ns', h);
}
