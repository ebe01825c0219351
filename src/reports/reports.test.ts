import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import { addUser, createToken } from '../auth/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { recordActivity, rollupFromStore } from './index.js';

for (const backend of testBackends()) {
  describe(`activity reports: ${backend.name}`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let app: FastifyInstance;
    let token: string;
    before(async () => {
      ctx = await testContext(backend);
      app = await buildApi(ctx);
      token = (await createToken(ctx.store, 'ana', 'analyst')).token;
      // DNS-style counters flushed into the rollup
      await recordActivity(ctx.store, new Date('2026-11-03T10:00:00Z'), 'warnings-shown', 40, {
        measure: 'warn-malicious-site',
        category: 'phishing',
      });
      await recordActivity(ctx.store, new Date('2026-11-03T11:00:00Z'), 'warnings-shown', 2, {
        measure: 'warn-malicious-site',
        category: 'phishing',
      });
      await recordActivity(ctx.store, new Date('2026-11-04T00:00:00Z'), 'c2-blocked', 7, {
        measure: 'block-c2',
        family: 'emotet',
      });
      await recordActivity(ctx.store, new Date('2026-10-20T00:00:00Z'), 'c2-blocked', 5, {
        measure: 'block-c2',
        family: 'emotet',
      });
      // store-derived figures: listings from the change log, cases and notices
      await ctx.store.query(`INSERT INTO change_log (at, entity, entity_id, op, state) VALUES
        ('2026-11-02T00:00:00Z', 'indicator', '1', 'add', '{"category":"phishing"}'),
        ('2026-11-02T01:00:00Z', 'indicator', '2', 'add', '{"category":"c2"}'),
        ('2026-11-05T00:00:00Z', 'indicator', '1', 'remove', '{"category":"phishing"}')`);
      await ctx.store.query(
        `INSERT INTO cases (kind, subscriber_id, measure, legal_basis, state, family, opened_at, updated_at, closed_at) VALUES
        ('subscriber', 'S1', 'notify-infected', 'emergency-evacuation', 'resolved', 'mirai', '2026-11-01T00:00:00Z', now(), '2026-11-01T10:00:00Z'),
        ('subscriber', 'S2', 'notify-infected', 'emergency-evacuation', 'resolved', 'mirai', '2026-11-02T00:00:00Z', now(), '2026-11-02T30:00:00Z'),
        ('subscriber', 'S3', 'notify-infected', 'emergency-evacuation', 'open', 'emotet', '2026-11-03T00:00:00Z', now(), NULL)`.replace(
          '2026-11-02T30:00:00Z',
          '2026-11-03T06:00:00Z',
        ),
      );
      await ctx.store.query(`INSERT INTO notifications (case_id, stage, channel, idempotency_key, status, sent_at)
        SELECT id, 1, 'email', 'k' || id, 'sent', opened_at + interval '1 hour' FROM cases`);
      await rollupFromStore(ctx.store, new Date('2026-10-01T00:00:00Z'));
      await rollupFromStore(ctx.store, new Date('2026-10-01T00:00:00Z')); // idempotent
    });
    after(async () => {
      await app.close();
      await ctx.dispose();
    });
    const get = (url: string) => app.inject({ url, headers: { authorization: `Bearer ${token}` } });

    test('the monthly report adds up rollups and derived figures, with breakdowns, remediation and trend', async () => {
      const r = (await get('/api/v1/reports/monthly?month=2026-11')).json();
      assert.equal(r.totals['warnings-shown'], 42);
      assert.equal(r.totals['c2-blocked'], 7);
      assert.equal(r.totals['indicators-listed'], 2);
      assert.equal(r.totals['indicators-delisted'], 1);
      assert.equal(r.totals['cases-opened'], 3);
      assert.equal(r.totals['cases-resolved'], 2);
      assert.equal(r.totals['subscribers-notified'], 3);
      assert.deepEqual(
        r.byFamily
          .filter((x: { metric: string }) => x.metric === 'cases-opened')
          .map((x: { family: string; value: number }) => `${x.family}:${x.value}`)
          .sort(),
        ['emotet:1', 'mirai:2'],
      );
      assert.deepEqual(
        r.byCategory.find((x: { metric: string }) => x.metric === 'warnings-shown'),
        { metric: 'warnings-shown', category: 'phishing', value: 42 },
      );
      assert.equal(r.remediation.resolved, 2);
      assert.equal(r.remediation.open, 1);
      assert.equal(r.remediation.medianHours, 20, 'median of 10 h and 30 h');
      assert.deepEqual(
        r.trend.filter((t: { metric: string }) => t.metric === 'c2-blocked'),
        [
          { month: '2026-10', metric: 'c2-blocked', value: 5 },
          { month: '2026-11', metric: 'c2-blocked', value: 7 },
        ],
      );
    });

    test('CSV export and a bad month', async () => {
      const csv = await get('/api/v1/reports/monthly.csv?month=2026-11');
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      assert.match(csv.body, /^month,metric,dimension,key,value\n/);
      assert.match(csv.body, /^2026-11,warnings-shown,total,,42$/m);
      assert.match(csv.body, /^2026-11,c2-blocked,family,emotet,7$/m);
      const bad = await get('/api/v1/reports/monthly?month=2026-13');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'REQUEST_INVALID');
    });

    test('dashboard sign-in: argon2 password → expiring session token; wrong password refused', async () => {
      await addUser(ctx.store, 'noc-ops', 'operator', 'correct horse battery', 'en');
      const ok = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'noc-ops', password: 'correct horse battery' },
      });
      assert.equal(ok.statusCode, 200);
      const s = ok.json();
      assert.equal(s.role, 'operator');
      assert.equal(new Date(s.expires_at).getTime(), ctx.clock.now().getTime() + 12 * 3_600_000);
      const who = await app.inject({
        url: '/api/v1/whoami',
        headers: { authorization: `Bearer ${s.token}` },
      });
      assert.equal(who.json().name, 'session:noc-ops');
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'noc-ops', password: 'wrong password!!' },
      });
      assert.equal(bad.statusCode, 401);
      assert.equal(bad.json().error.code, 'AUTH_INVALID');
      const nobody = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'ghost', password: 'whatever-long-enough' },
      });
      assert.equal(nobody.statusCode, 401);
      await assert.rejects(addUser(ctx.store, 'short', 'analyst', 'short'), /at least 12/);
      ctx.clock.advance(12 * 3_600_000 + 1000);
      const expired = await app.inject({
        url: '/api/v1/whoami',
        headers: { authorization: `Bearer ${s.token}` },
      });
      assert.equal(expired.statusCode, 401);
      assert.match(expired.json().error.message, /expired/);
    });
  });
}
