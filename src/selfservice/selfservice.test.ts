import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildApi } from '../api/index.js';
import { createToken } from '../auth/index.js';
import { addEvidence, addSubscriber } from '../cases/fixtures.js';
import { caseRoutes, getCase, runCycle } from '../cases/index.js';
import { DAY_MS } from '../clock/index.js';
import { type EmailPayload, listNotices } from '../notify/index.js';
import { startSmtpSink } from '../notify/sink.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { selfServiceRoutes } from './index.js';

for (const backend of testBackends()) {
  describe(`self-service and case API on ${backend.name}`, () => {
    test('the signed link in the notice opens the page (ja/en); "I fixed it"; consent opt-out and back in; cases API', async () => {
      const sink = await startSmtpSink();
      const ctx = await testContext(backend, {
        smtp: { url: sink.url },
        selfservice: { base_url: 'https://isp.example' },
      });
      const app = await buildApi(ctx, [caseRoutes, selfServiceRoutes]);
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        await addSubscriber(ctx.store, 'S-self', { email: 'self@example.jp' }, 'ja');
        await addEvidence(ctx.store, { subscriber: 'S-self', seenAt: ctx.clock.now(), family: 'mirai' });
        await runCycle(ctx);
        const [n] = await listNotices(ctx.store);
        const link = /https:\/\/isp\.example(\/self-service\/[A-Za-z0-9_.-]+)/.exec(
          (n.payload as EmailPayload).text,
        )?.[1];
        assert.ok(link, 'the notice carries the signed link');
        const token = link.split('/').pop()!;

        let res = await fetch(`${base}${link}`);
        assert.equal(res.status, 200);
        let html = await res.text();
        assert.match(html, /<html lang="ja">/);
        assert.match(html, /再起動/);
        assert.match(html, /対処しました/);
        res = await fetch(`${base}${link}?lang=en`);
        html = await res.text();
        assert.match(html, /I fixed it/);
        assert.match(html, /Restart \(power off and on\)/);
        assert.match(html, /warn|Warn/);

        // "I fixed it" through the page's form: watching, not closed
        res = await fetch(`${base}${link}/fixed?lang=en`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '',
          redirect: 'manual',
        });
        assert.equal(res.status, 303);
        const [c] = (
          await ctx.store.query<{ id: string }>(`SELECT id FROM cases WHERE subscriber_id = 'S-self'`)
        ).rows;
        assert.equal((await getCase(ctx.store, Number(c.id))).state, 'watching');

        // consent: opt out through the form, back in through the portal API
        res = await fetch(`${base}${link}/consent?lang=ja`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'measure=warn-malicious-site&granted=false',
          redirect: 'manual',
        });
        assert.equal(res.status, 303);
        let consent = await ctx.store.query<{ granted: boolean }>(
          `SELECT granted FROM consents WHERE subscriber_id = 'S-self' AND measure = 'warn-malicious-site'`,
        );
        assert.equal(consent.rows[0].granted, false);
        const cl = await ctx.store.query(
          `SELECT 1 FROM change_log WHERE entity = 'consent' AND entity_id = 'S-self'`,
        );
        assert.ok(cl.rows.length >= 1, 'the DNS resolver learns of it through the change_log');
        res = await fetch(`${base}/api/v1/self-service/${token}/consents/warn-malicious-site`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ granted: true }),
        });
        assert.equal(res.status, 200);
        consent = await ctx.store.query(
          `SELECT granted FROM consents WHERE subscriber_id = 'S-self' AND measure = 'warn-malicious-site'`,
        );
        assert.equal(consent.rows[0].granted, true);
        res = await fetch(`${base}/api/v1/self-service/${token}/consents/notify-infected`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ granted: false }),
        });
        assert.equal(res.status, 400, 'a measure not resting on consent cannot be switched off');

        const api = (await (await fetch(`${base}/api/v1/self-service/${token}?lang=en`)).json()) as {
          case: { state: string };
          consents: Array<{ measure: string; granted: boolean }>;
          notice: { text: string };
        };
        assert.equal(api.case.state, 'watching');
        assert.ok(api.consents.some((x) => x.measure === 'warn-malicious-site' && x.granted));
        const views = await ctx.store.query(
          `SELECT 1 FROM audit_log WHERE action = 'selfservice.view' AND actor = 'subscriber:S-self'`,
        );
        assert.ok(views.rows.length >= 3);

        // tampered and expired links
        const bad = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
        assert.equal((await fetch(`${base}/self-service/${bad}`)).status, 403);
        ctx.clock.advance(61 * DAY_MS);
        assert.equal((await fetch(`${base}/api/v1/self-service/${token}`)).status, 410);

        // the operators' case API
        const op = await createToken(ctx.store, 'op1', 'operator');
        const auth = { authorization: `Bearer ${op.token}` };
        assert.equal((await fetch(`${base}/api/v1/cases`)).status, 401);
        const listRes = await fetch(`${base}/api/v1/cases?state=watching`, { headers: auth });
        const list = (await listRes.json()) as { cases: Array<{ id: number }> };
        assert.equal(listRes.status, 200, JSON.stringify(list));
        assert.equal(list.cases.length, 1);
        const detail = (await (
          await fetch(`${base}/api/v1/cases/${list.cases[0].id}`, { headers: auth })
        ).json()) as {
          evidence: unknown[];
          notices: Array<{ status: string }>;
        };
        assert.equal(detail.evidence.length, 1);
        assert.equal(detail.notices[0].status, 'sent');
        res = await fetch(`${base}/api/v1/cases/${list.cases[0].id}/hold`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'customer called' }),
        });
        assert.equal(((await res.json()) as { state: string }).state, 'held');
        const outbox = (await (await fetch(`${base}/api/v1/outbox`, { headers: auth })).json()) as {
          by_status: Record<string, number>;
        };
        assert.equal(outbox.by_status.sent, 1);
      } finally {
        await app.close();
        await sink.close();
        await ctx.dispose();
      }
    });
  });
}
