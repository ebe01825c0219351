import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listAudit } from '../../audit/index.js';
import { testContext } from '../../testing/context.js';
import { testBackends } from '../../testing/stores.js';
import { importEvidence } from './index.js';

const fx = (name: string) => ({ path: join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', name) });

for (const backend of testBackends()) {
  describe(`evidence import (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    before(async () => {
      ctx = await testContext(backend, { measures: { 'notify-vulnerable': { enabled: false } } });
    });
    after(() => ctx.dispose());

    const rows = async (source: string) =>
      (
        await ctx.store.query<{
          measure: string;
          addr: string;
          port: number | null;
          seen: string;
          kind: string;
          family: string | null;
        }>(
          `SELECT measure, host(addr) AS addr, port, to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS seen, kind, family
             FROM evidence WHERE source = $1 ORDER BY id`,
          [source],
        )
      ).rows;

    test('shadowserver-sinkhole: event4_sinkhole and event4_sinkhole_http headers, bad line by number', async () => {
      const a = await importEvidence(ctx, fx('event4_sinkhole.csv'), { format: 'shadowserver-sinkhole' });
      assert.equal(a.measure, 'notify-infected');
      assert.equal(a.imported, 2);
      assert.deepEqual(
        a.errors.map((e) => e.line),
        [3],
      );
      const b = await importEvidence(ctx, fx('event4_sinkhole_http.csv'), {
        format: 'shadowserver-sinkhole',
      });
      assert.equal(b.imported, 2);
      assert.deepEqual(
        b.errors.map((e) => e.line),
        [3],
      );
      assert.deepEqual((await rows('shadowserver')).slice(0, 3), [
        {
          measure: 'notify-infected',
          addr: '198.51.100.10',
          port: 49152,
          seen: '2026-11-23T07:30:00',
          kind: 'sinkhole',
          family: 'andromeda',
        },
        {
          measure: 'notify-infected',
          addr: '203.0.113.5',
          port: 1500,
          seen: '2026-11-23T07:32:00',
          kind: 'sinkhole',
          family: 'mirai',
        },
        {
          measure: 'notify-infected',
          addr: '2001:db8:1000:ab::1',
          port: 51000,
          seen: '2026-11-23T08:10:00',
          kind: 'sinkhole',
          family: 'emotet',
        },
      ]);
    });

    test('evidence-csv, evidence-json (NDJSON and array) with malformed records by line', async () => {
      const c = await importEvidence(ctx, fx('evidence.csv'), { format: 'evidence-csv' });
      assert.equal(c.imported, 2);
      assert.deepEqual(
        c.errors.map((e) => e.line),
        [4],
      );
      assert.deepEqual(
        (await rows('takedown-2026-11')).map((r) => [r.addr, r.port, r.kind, r.family]),
        [
          ['192.0.2.18', 1232, 'c2-contact', 'qakbot'],
          ['192.0.2.18', null, 'c2-contact', 'qakbot'],
        ],
      );
      const n = await importEvidence(ctx, fx('evidence.ndjson'), {
        format: 'evidence-json',
        source: 'ndjson-test',
      });
      assert.equal(n.imported, 2);
      assert.deepEqual(
        n.errors.map((e) => e.line),
        [2],
      );
      assert.deepEqual(
        (await rows('partner-x')).map((r) => r.family),
        ['qakbot'],
      );
      assert.deepEqual(
        (await rows('ndjson-test')).map((r) => [r.addr, r.port]),
        [['203.0.113.5', null]],
      );
      const j = await importEvidence(ctx, fx('evidence-array.json'), {
        format: 'evidence-json',
        source: 'array-test',
      });
      assert.equal(j.imported, 2);
      // The line where the bad item (port 70000) starts, however the fixture is formatted.
      const arrayText = readFileSync(fx('evidence-array.json').path, 'utf8');
      const itemStart = arrayText.lastIndexOf('{', arrayText.indexOf('70000'));
      assert.deepEqual(
        j.errors.map((e) => e.line),
        [arrayText.slice(0, itemStart).split('\n').length],
      );
      assert.match(j.errors[0].message, /item 2: port/);
      assert.deepEqual(
        (await rows('array-test')).map((r) => [r.port, r.seen]),
        [
          [2100, '2026-11-23T08:00:00'],
          [1100, '2026-11-23T09:00:00'],
        ],
      );
    });

    test('stix-sighting: network-traffic src_ref/src_port and bare addresses; a broken sighting by line', async () => {
      const s = await importEvidence(ctx, fx('sightings.json'), { format: 'stix-sighting' });
      assert.equal(s.imported, 2);
      const bundle = readFileSync(fx('sightings.json').path, 'utf8');
      const idLine = bundle.slice(0, bundle.indexOf('"sighting--0c5d4f49')).split('\n').length;
      assert.deepEqual(
        s.errors.map((e) => e.line),
        [idLine],
      );
      assert.match(s.errors[0].message, /observed-data--00000000.* is not in the bundle/);
      assert.deepEqual(
        (await rows('Sinkhole Partner')).map((r) => [r.addr, r.port, r.seen, r.family]),
        [['203.0.113.5', 2500, '2026-11-23T08:05:00', 'mirai']],
      );
      assert.deepEqual(
        (await rows('stix')).map((r) => [r.addr, r.port]),
        [['2001:db8:2000:1::5', null]],
      );
    });

    test('a measure without a legal basis for it cannot collect evidence (refused and audited)', async () => {
      await assert.rejects(
        importEvidence(ctx, fx('scan_dns_open_resolver.csv'), { format: 'shadowserver-open-resolver' }),
        (e: Error & { code?: string }) => e.code === 'MEASURE_DISABLED',
      );
      const [rec] = await listAudit(ctx.store, { action: 'evidence.import', limit: 1 });
      assert.equal(rec.outcome, 'denied');
      assert.equal(rec.measure, 'notify-vulnerable');
      assert.equal((await rows('shadowserver')).filter((r) => r.kind === 'open-resolver').length, 0);
    });

    test('shadowserver-open-resolver under another measure given with --measure', async () => {
      const r = await importEvidence(ctx, fx('scan_dns_open_resolver.csv'), {
        format: 'shadowserver-open-resolver',
        measure: 'notify-infected',
      });
      assert.equal(r.imported, 2);
      assert.deepEqual(
        r.errors.map((e) => e.line),
        [3],
      );
      assert.deepEqual(
        (await rows('shadowserver')).filter((x) => x.kind === 'open-resolver').map((x) => [x.addr, x.port]),
        [
          ['203.0.113.20', 53],
          ['203.0.113.23', 53],
        ],
      );
    });
  });
}
