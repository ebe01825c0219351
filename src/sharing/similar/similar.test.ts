import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Store } from '../../store/index.js';
import { testBackends } from '../../testing/stores.js';
import { caseFeatures, findSimilar, indexReports, jaccard, signature } from './index.js';
import { HASHES } from './minhash.js';

function report(id: number, indicators: string[], family?: string) {
  const hex = (n: number) => n.toString(16).padStart(12, '0');
  const inds = indicators.map((v, i) => ({
    type: 'indicator',
    id: `indicator--00000000-0000-4000-8000-${hex(id * 1000 + i)}`,
    pattern: `[domain-name:value = '${v}']`,
  }));
  const mal = family
    ? [{ type: 'malware', id: `malware--00000000-0000-4000-9000-${hex(id)}`, name: family }]
    : [];
  return [
    ...inds,
    ...mal,
    {
      type: 'report',
      id: `report--00000000-0000-4000-a000-${hex(id)}`,
      name: `case ${id}`,
      object_refs: [...inds, ...mal].map((o) => o.id),
    },
  ];
}

describe('MinHash', () => {
  test('property: the signature agreement estimates Jaccard similarity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 60 }), fc.integer({ min: 0, max: 60 }), (shared, extra) => {
        const a = new Set(Array.from({ length: shared + extra }, (_, i) => `a${i < shared ? `s${i}` : i}`));
        const b = new Set(
          Array.from({ length: shared + extra }, (_, i) => `a${i < shared ? `s${i}` : `b${i}`}`),
        );
        const sa = signature(a);
        const sb = signature(b);
        const est = sa.filter((v, i) => v === sb[i]).length / HASHES;
        return Math.abs(est - jaccard(a, b)) < 0.3; // 64 hashes: standard error ≤ 0.0625
      }),
      { numRuns: 50 },
    );
  });
});

for (const backend of testBackends()) {
  describe(`similar-case search: ${backend.name}`, () => {
    let store: Store & { dispose(): Promise<void> };
    before(async () => {
      store = await backend.open();
      const emotet = Array.from({ length: 20 }, (_, i) => `emotet-c2-${i}.example`);
      await indexReports(store, [
        ...report(1, emotet, 'Emotet'),
        ...report(2, [...emotet.slice(0, 15), 'other-1.example', 'other-2.example'], 'Emotet'),
        ...report(
          3,
          Array.from({ length: 20 }, (_, i) => `mirai-${i}.example`),
          'Mirai',
        ),
        ...report(
          4,
          [...emotet.slice(0, 4), ...Array.from({ length: 16 }, (_, i) => `x-${i}.example`)],
          'QakBot',
        ),
      ]);
    });
    after(() => store.dispose());

    test('finds the reports that share indicators and family, best first, with what they share', async () => {
      const query = caseFeatures(
        Array.from({ length: 18 }, (_, i) => `emotet-c2-${i}.example`),
        ['emotet'],
      );
      const hits = await findSimilar(store, query, 5);
      assert.ok(hits.length >= 2);
      assert.equal(hits[0].name, 'case 1');
      assert.equal(hits[1].name, 'case 2');
      assert.ok(hits[0].score > 0.8);
      assert.deepEqual(hits[0].shared_families, ['emotet']);
      assert.equal(hits[0].shared_indicators.length, 18);
      assert.ok(!hits.some((h) => h.name === 'case 3'), 'an unrelated case is not a candidate');
    });

    test('re-indexing a report replaces it; a case with nothing in common finds nothing', async () => {
      await indexReports(store, report(3, ['solo.example'], 'Mirai'));
      const r = await store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM similar_buckets WHERE report_id LIKE 'report--%a000-000000000003'`,
      );
      assert.equal(r.rows[0].n, 16);
      assert.deepEqual(await findSimilar(store, caseFeatures(['nothing.example'], []), 5), []);
    });
  });
}
