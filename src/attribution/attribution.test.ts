import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApi } from '../api/index.js';
import { createContext } from '../app/index.js';
import { listAudit, verifyAudit } from '../audit/index.js';
import { createToken } from '../auth/index.js';
import { validateConfig } from '../config/index.js';
import { importAssignments } from '../pipeline/assignments/index.js';
import { importEvidence } from '../pipeline/evidence/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { ATTRIBUTION_LOCK, attributePending } from './index.js';

const fixtures = fileURLToPath(new URL('../pipeline/assignments/fixtures/', import.meta.url));
const fx = (name: string) => ({ path: join(fixtures, name) });

/** Evidence labelled by `kind` so each case can be looked up: [label, address, port, time]. */
const EVIDENCE: Array<[string, string, string, string]> = [
  // dynamic IPv4: sub-a 07:00–08:00, then sub-b 08:00–10:00 on 198.51.100.10 (RADIUS, two files)
  ['dyn-a', '198.51.100.10', '40000', '2026-11-23T07:30:00Z'],
  ['dyn-b', '198.51.100.10', '40000', '2026-11-23T09:00:00Z'],
  // an hour and 59 minutes into sub-b's session, closed by the second file (the interval grew by UPDATE)
  ['dyn-b-late', '198.51.100.10', '40000', '2026-11-23T09:59:00Z'],
  ['dyn-boundary', '198.51.100.10', '40000', '2026-11-23T08:00:30Z'],
  ['dyn-skew-inside', '198.51.100.10', '', '2026-11-23T06:59:00Z'],
  ['dyn-before', '198.51.100.10', '', '2026-11-23T06:50:00Z'],
  ['dyn-after', '198.51.100.10', '', '2026-11-23T10:30:00Z'],
  // IPv6 delegated prefix 2001:db8:1000::/56 of sub-a's session
  ['v6-pd', '2001:db8:1000:ab::1', '51000', '2026-11-23T07:45:00Z'],
  // CGNAT 203.0.113.5: sub-c 1024–2047 (07:00–09:00), sub-d2 2048–3071 (07:00:05–)
  ['cgn-c', '203.0.113.5', '1500', '2026-11-23T08:00:00Z'],
  ['cgn-d2', '203.0.113.5', '2500', '2026-11-23T08:00:00Z'],
  ['cgn-noport', '203.0.113.5', '', '2026-11-23T08:00:00Z'],
  ['cgn-unblocked-port', '203.0.113.5', '5000', '2026-11-23T08:00:00Z'],
  // MAP-E rule 2001:db8::/40 ↔ 192.0.2.0/24, 16 EA bits; sub-e holds 2001:db8:12:3400::/56
  ['mape', '192.0.2.18', '1232', '2026-11-23T08:00:00Z'],
  ['mape-noport', '192.0.2.18', '', '2026-11-23T08:00:00Z'],
  ['mape-other-ce', '192.0.2.18', '1236', '2026-11-23T08:00:00Z'],
  ['mape-excluded-port', '192.0.2.18', '1000', '2026-11-23T08:00:00Z'],
  // overlap: sub-c (static) and sub-z (static from 08:00) both hold 100.64.0.10
  ['overlap', '100.64.0.10', '', '2026-11-23T08:30:00Z'],
  ['before-overlap', '100.64.0.10', '', '2026-11-23T07:30:00Z'],
];

const EXPECTED: Record<string, { sub: string | null; reason: string | null }> = {
  'dyn-a': { sub: 'sub-a@isp.example', reason: null },
  'dyn-b': { sub: 'sub-b@isp.example', reason: null },
  'dyn-b-late': { sub: 'sub-b@isp.example', reason: null },
  'dyn-boundary': { sub: null, reason: 'ambiguous' },
  'dyn-skew-inside': { sub: 'sub-a@isp.example', reason: null },
  'dyn-before': { sub: null, reason: 'no-assignment' },
  'dyn-after': { sub: null, reason: 'no-assignment' },
  'v6-pd': { sub: 'sub-a@isp.example', reason: null },
  'cgn-c': { sub: 'sub-c', reason: null },
  'cgn-d2': { sub: 'sub-d2', reason: null },
  'cgn-noport': { sub: null, reason: 'port-missing' },
  'cgn-unblocked-port': { sub: null, reason: 'no-assignment-for-port' },
  mape: { sub: 'sub-e', reason: null },
  'mape-noport': { sub: null, reason: 'port-missing' },
  'mape-other-ce': { sub: null, reason: 'no-assignment' },
  'mape-excluded-port': { sub: null, reason: 'mape-port-not-allocated' },
  overlap: { sub: null, reason: 'ambiguous' },
  'before-overlap': { sub: 'sub-c', reason: null },
};

for (const backend of testBackends()) {
  describe(`attribution (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    before(async () => {
      ctx = await testContext(backend, { attribution: { clock_skew_seconds: 120, batch_size: 5 } });
      for (const [file, format] of [
        ['radius-detail-1', 'radius-detail'],
        ['radius-detail-2', 'radius-detail'],
        ['static.csv', 'static-csv'],
        ['cgnat.csv', 'cgnat-csv'],
        ['mape-rules.csv', 'mape-rules'],
      ])
        await importAssignments(ctx, fx(file), { format });
      await importAssignments(
        ctx,
        { text: 'subscriber,prefix,valid_from\nsub-z,100.64.0.10/32,2026-11-23T08:00:00Z\n' },
        { format: 'static-csv' },
      );
      const csv = `address,port,time,kind\n${EVIDENCE.map(([k, a, p, t]) => `${a},${p},${t},${k}`).join('\n')}\n`;
      const r = await importEvidence(ctx, { text: csv }, { format: 'evidence-csv', source: 'test' });
      assert.equal(r.imported, EVIDENCE.length);
    });
    after(() => ctx.dispose());

    test('every case attributed or refused with its reason (dynamic, skew, IPv6 PD, CGNAT, MAP-E, overlap)', async () => {
      const report = await attributePending(ctx);
      const got = await ctx.store.query<{
        kind: string;
        subscriber_id: string | null;
        unattributed_reason: string | null;
      }>(
        'SELECT e.kind, a.subscriber_id, a.unattributed_reason FROM evidence e JOIN attributions a ON a.evidence_id = e.id',
      );
      const actual = Object.fromEntries(
        got.rows.map((r) => [r.kind, { sub: r.subscriber_id, reason: r.unattributed_reason }]),
      );
      assert.deepEqual(actual, EXPECTED);
      assert.equal(report.attributed, 9);
      assert.deepEqual(report.unattributed, {
        ambiguous: 2,
        'no-assignment': 3,
        'port-missing': 2,
        'no-assignment-for-port': 1,
        'mape-port-not-allocated': 1,
      });
      // Nothing pending is left, and a second run finds nothing to do.
      assert.deepEqual(await attributePending(ctx), { attributed: 0, unattributed: {}, subscribers: 0 });
    });

    test('one audit record per attributed subscriber per batch, naming the evidence; the chain verifies', async () => {
      const matches = await listAudit(ctx.store, { action: 'attribution.match', limit: 1000 });
      const ids = await ctx.store.query<{ id: string; subscriber_id: string }>(
        'SELECT evidence_id AS id, subscriber_id FROM attributions WHERE subscriber_id IS NOT NULL ORDER BY evidence_id',
      );
      const audited = new Map<string, number[]>();
      for (const m of matches) {
        assert.equal(m.measure, 'notify-infected');
        assert.equal(m.legalBasis, 'emergency-evacuation');
        const sub = m.subject!.replace(/^subscriber:/, '');
        audited.set(sub, [...(audited.get(sub) ?? []), ...(m.details.evidence as number[])]);
      }
      const expected = new Map<string, number[]>();
      for (const r of ids.rows)
        expected.set(r.subscriber_id, [...(expected.get(r.subscriber_id) ?? []), Number(r.id)]);
      for (const v of audited.values()) v.sort((a, b) => a - b);
      assert.deepEqual(audited, expected);
      const runs = await listAudit(ctx.store, { action: 'attribution.run', limit: 10 });
      assert.ok(runs.some((r) => r.outcome === 'allowed' && r.subject === 'measure:notify-infected'));
      assert.deepEqual(await verifyAudit(ctx.store), {
        ok: true,
        checked: (await listAudit(ctx.store, { limit: 1 }))[0].seq,
      });
    });

    test('limit processes only that many evidence rows', async () => {
      await importEvidence(
        ctx,
        {
          text: 'address,port,time,kind\n198.51.100.10,1,2026-11-23T07:10:00Z,l1\n198.51.100.10,1,2026-11-23T07:11:00Z,l2\n',
        },
        { format: 'evidence-csv' },
      );
      assert.equal((await attributePending(ctx, { limit: 1 })).attributed, 1);
      assert.equal((await attributePending(ctx, { limit: 5 })).attributed, 1);
    });
    test('the same through the API: assignment and evidence uploads, attribution run', async () => {
      const app = await buildApi(ctx);
      try {
        const op = { authorization: `Bearer ${(await createToken(ctx.store, 'op', 'operator')).token}` };
        const a = await app.inject({
          method: 'POST',
          url: '/api/v1/assignments/import?format=static-csv&source=crm',
          headers: { ...op, 'content-type': 'text/csv' },
          payload: 'subscriber,prefix\nsub-api,10.20.0.0/24\nsub-api,10.20.0.0/99\n',
        });
        assert.equal(a.statusCode, 200, a.body);
        assert.deepEqual([a.json().imported, a.json().errors[0].line], [1, 3]);
        const e = await app.inject({
          method: 'POST',
          url: '/api/v1/evidence/import?format=evidence-json',
          headers: { ...op, 'content-type': 'application/json' },
          payload: '[{"address":"10.20.0.5","time":"2026-11-23T12:00:00Z","kind":"api"}]',
        });
        assert.equal(e.statusCode, 200, e.body);
        assert.equal(e.json().imported, 1);
        const run = await app.inject({
          method: 'POST',
          url: '/api/v1/attribution/run',
          headers: op,
          payload: {},
        });
        assert.deepEqual(run.json(), { attributed: 1, unattributed: {}, subscribers: 1 });
        const [m] = await listAudit(ctx.store, { action: 'attribution.match', limit: 1 });
        assert.equal(m.subject, 'subscriber:sub-api');
        assert.equal(m.actor, 'op');
        const badFormat = await app.inject({
          method: 'POST',
          url: '/api/v1/evidence/import?format=nope',
          headers: { ...op, 'content-type': 'text/plain' },
          payload: 'x',
        });
        assert.equal(badFormat.statusCode, 400);
      } finally {
        await app.close();
      }
    });

    test('a disabled measure, or one that may not touch assignments, cannot attribute: refused, audited, left pending', async () => {
      // The same store under a configuration that takes the legal basis away (as an operator might).
      const config = validateConfig({
        log: { level: 'silent', format: 'json' },
        measures: {
          'notify-vulnerable': { enabled: false },
          'notify-infected': { data: ['evidence', 'subscriber-contact'] },
        },
      });
      const restricted = await createContext(config, { store: ctx.store, clock: ctx.clock, log: ctx.log });
      const before = (await listAudit(ctx.store, { limit: 1 }))[0].seq;
      // Evidence that arrived while the measures still had their basis.
      await ctx.store.query(
        `INSERT INTO evidence (measure, addr, port, seen_at, kind, source) VALUES
           ('notify-vulnerable', '100.64.0.10', 53, '2026-11-23T07:00:00Z', 'open-resolver', 'test'),
           ('notify-infected', '100.64.0.10', 1, '2026-11-23T07:00:00Z', 'sinkhole', 'test')`,
      );
      const report = await attributePending(restricted);
      assert.deepEqual(report, { attributed: 0, unattributed: { 'no-legal-basis': 2 }, subscribers: 0 });
      // Left pending: still queued, and without a result.
      const pending = await ctx.store.query<{ id: string }>(
        'SELECT id FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM attributions a WHERE a.evidence_id = e.id) ORDER BY id',
      );
      const queued = await ctx.store.query<{ id: string }>(
        'SELECT evidence_id AS id FROM attribution_queue ORDER BY evidence_id',
      );
      assert.equal(pending.rows.length, 2);
      assert.deepEqual(queued.rows, pending.rows);
      const denied = (await listAudit(ctx.store, { action: 'attribution.run', limit: 10 })).filter(
        (d) => d.seq > before,
      );
      assert.deepEqual(
        denied.map((d) => [d.measure, d.outcome, (d.details.reason as string).replace(/ \(.*$/, '')]).sort(),
        [
          ['notify-infected', 'denied', 'measure notify-infected may not touch assignment'],
          ['notify-vulnerable', 'denied', 'measure notify-vulnerable is disabled'],
        ],
      );
      assert.equal(
        (await listAudit(ctx.store, { action: 'attribution.match' })).filter((d) => d.seq > before).length,
        0,
      );
    });

    test('deleting evidence (retention) deletes its result and its queue entry, and nothing else', async () => {
      const count = async (sql: string) => Number((await ctx.store.query<{ n: string }>(sql)).rows[0].n);
      const results = await count('SELECT count(*) AS n FROM attributions');
      const queued = await count('SELECT count(*) AS n FROM attribution_queue');
      assert.ok(results >= EVIDENCE.length && queued === 2);
      // Two attributed rows and one still queued (left pending by the previous test).
      const r = await ctx.store.query(
        `DELETE FROM evidence WHERE kind IN ('dyn-a', 'cgn-noport') OR (source = 'test' AND measure = 'notify-vulnerable')`,
      );
      assert.equal(r.rowCount, 3);
      assert.equal(await count('SELECT count(*) AS n FROM attributions'), results - 2);
      assert.equal(await count('SELECT count(*) AS n FROM attribution_queue'), queued - 1);
      assert.equal(
        await count(
          'SELECT count(*) AS n FROM attributions a WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = a.evidence_id)',
        ),
        0,
      );
    });
  });

  // Two connections at once: only the server backend has them (PGlite is one connection).
  if (backend.name === 'postgres') {
    describe('attribution results under a concurrent purge (postgres)', () => {
      test('evidence purged while a batch is attributing it leaves no result behind', async () => {
        const ctx = await testContext(backend);
        try {
          const ev = await ctx.store.query<{ id: string }>(
            `INSERT INTO evidence (measure, addr, port, seen_at, kind, source)
             VALUES ('notify-infected', '198.51.100.10', 1, '2026-11-23T07:00:00Z', 'sinkhole', 'test') RETURNING id`,
          );
          const id = ev.rows[0].id;
          let purging: Promise<unknown> | undefined;
          // What a batch does, with a pause: hold the measure's lock, record the outcome, dequeue.
          await ctx.store.transaction(async (tx) => {
            await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
              ATTRIBUTION_LOCK,
              'notify-infected',
            ]);
            await tx.query(
              `INSERT INTO attributions (evidence_id, subscriber_id, attributed_at) VALUES ($1, 'sub-a', now())`,
              [id],
            );
            await tx.query(
              `DELETE FROM attribution_queue WHERE measure = 'notify-infected' AND evidence_id = $1`,
              [id],
            );
            // the purge runs on another connection while the batch is still open
            purging = ctx.store.query('DELETE FROM evidence WHERE id = $1', [id]);
            await new Promise((r) => setTimeout(r, 100));
          });
          await purging;
          const left = await ctx.store.query('SELECT 1 FROM attributions WHERE evidence_id = $1', [id]);
          assert.equal(left.rows.length, 0);
        } finally {
          await ctx.dispose();
        }
      });
    });
  }
}
