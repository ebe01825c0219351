/**
 * Sharing hub benchmark (issue 6): POST a bundle of N objects into a TAXII collection, page through the
 * collection over HTTP, and query similar cases over R indexed reports.
 *   npm run bench -- taxii [--objects 100000] [--reports 100000] [--backend pglite|postgres]
 * Targets: paging ≥ 10k objects/s. Figures only; nothing here is asserted.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApi } from '../../src/api/index.js';
import { createContext } from '../../src/app/index.js';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/index.js';
import { addCollection, addMember, caseFeatures, findSimilar, openHub } from '../../src/sharing/index.js';
import { bandBuckets, signature } from '../../src/sharing/similar/index.js';
import { migrate, PGliteStore, PostgresStore, type Store } from '../../src/store/index.js';
import { stringArg } from './support/args.js';

const N = Number(stringArg('objects', '100000'));
const R = Number(stringArg('reports', '100000'));
const backend = stringArg('backend', 'pglite');

async function openStore(): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const store = await PGliteStore.open();
    return { store, drop: async () => {} };
  }
  const admin = process.env.YOJIN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `yojin_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const store = await PostgresStore.open(url.toString(), 4);
  return {
    store,
    drop: async () => {
      const a = new pg.Client({ connectionString: admin });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

const uuid = (i: number, tag: string) => `00000000-0000-4000-${tag}-${i.toString(16).padStart(12, '0')}`;

const { store, drop } = await openStore();
await migrate(store);
const config = validateConfig({
  log: { level: 'silent', format: 'json' },
  sharing: { max_page_size: 1000, max_content_length: 1_073_741_824 },
});
const ctx = await createContext(config, { store, log: createLogger(config) });
const app = await buildApi(ctx);
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const col = await addCollection(store, { alias: 'bench', max_tlp: 'amber' });
const m = await addMember(await openHub(ctx), 'bench', ['bench'], ['bench']);
const auth = `Basic ${Buffer.from(`${m.username}:${m.secret}`).toString('base64')}`;
const MEDIA = 'application/taxii+json;version=2.1';

const objects = Array.from({ length: N }, (_, i) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${uuid(i, '8000')}`,
  created: '2026-11-01T00:00:00.000Z',
  modified: '2026-11-01T00:00:00.000Z',
  pattern: `[domain-name:value = 'bench-${i}.example']`,
  pattern_type: 'stix',
  valid_from: '2026-11-01T00:00:00.000Z',
  labels: ['phishing'],
}));
let t = performance.now();
const post = await fetch(`${base}/taxii2/hub/collections/${col.id}/objects/`, {
  method: 'POST',
  headers: { authorization: auth, accept: MEDIA, 'content-type': MEDIA },
  body: JSON.stringify({ objects }),
});
const status = (await post.json()) as { success_count: number };
const postS = (performance.now() - t) / 1000;
console.log(
  `POST ${N} objects (${backend}): ${postS.toFixed(1)} s, ${(N / postS).toFixed(0)} objects/s, ${status.success_count} accepted`,
);

t = performance.now();
let got = 0;
let next: string | undefined;
do {
  const r = await fetch(
    `${base}/taxii2/hub/collections/${col.id}/objects/?limit=1000${next ? `&next=${next}` : ''}`,
    {
      headers: { authorization: auth, accept: MEDIA },
    },
  );
  const env = (await r.json()) as { objects?: unknown[]; more: boolean; next?: string };
  got += env.objects?.length ?? 0;
  next = env.more ? env.next : undefined;
} while (next);
const pageS = (performance.now() - t) / 1000;
console.log(
  `page through ${got} objects, 1000 a page (${backend}): ${pageS.toFixed(2)} s, ${(got / pageS).toFixed(0)} objects/s (target ≥ 10000)`,
);

// R reports of 10–30 indicators from overlapping pools, loaded with COPY (index build is what is timed)
t = performance.now();
const reportRows: unknown[][] = [];
const bucketRows: unknown[][] = [];
let seed = 7;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
for (let i = 0; i < R; i++) {
  const pool = Math.floor(rnd() * (R / 10));
  const n = 10 + Math.floor(rnd() * 20);
  const feats = new Set<string>([`fam:family-${pool % 50}`]);
  for (let k = 0; k < n; k++) feats.add(`ind:c2-${pool}-${Math.floor(rnd() * 40)}.example`);
  const sig = signature(feats);
  const id = `report--${uuid(i, 'a000')}`;
  reportRows.push([
    id,
    `report ${i}`,
    `{family-${pool % 50}}`,
    `{${[...feats].map((f) => `"${f}"`).join(',')}}`,
    `{${sig.join(',')}}`,
  ]);
  for (const [band, b] of bandBuckets(sig).entries()) bucketRows.push([band, b, id]);
}
await store.copyFrom('similar_reports', ['report_id', 'name', 'family', 'features', 'signature'], reportRows);
await store.copyFrom('similar_buckets', ['band', 'bucket', 'report_id'], bucketRows);
console.log(`index ${R} reports: ${((performance.now() - t) / 1000).toFixed(1)} s`);
const lat: number[] = [];
for (let q = 0; q < 50; q++) {
  const pool = Math.floor(rnd() * (R / 10));
  const feats = caseFeatures(
    Array.from({ length: 15 }, () => `c2-${pool}-${Math.floor(rnd() * 40)}.example`),
    [`family-${pool % 50}`],
  );
  const s = performance.now();
  await findSimilar(store, feats, 10);
  lat.push(performance.now() - s);
}
lat.sort((a, b) => a - b);
console.log(
  `similar-case query over ${R} reports (${backend}): median ${lat[25].toFixed(1)} ms, p95 ${lat[47].toFixed(1)} ms`,
);
await app.close();
await store.close();
await drop();
