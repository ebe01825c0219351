import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import { listAudit } from '../audit/index.js';
import { createToken } from '../auth/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { setConsent } from './index.js';

const CSV = readFileSync(new URL('./fixtures/customers.csv', import.meta.url), 'utf8');

for (const backend of testBackends()) {
  describe(`subscribers (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let app: FastifyInstance;
    let operator: string;
    let analyst: string;
    before(async () => {
      ctx = await testContext(backend);
      app = await buildApi(ctx);
      operator = (await createToken(ctx.store, 'op', 'operator')).token;
      analyst = (await createToken(ctx.store, 'ana', 'analyst')).token;
    });
    after(async () => {
      await app.close();
      await ctx.dispose();
    });
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const consentLog = async () =>
      (
        await ctx.store.query<{ entity_id: string; state: { measure: string; granted: boolean } }>(
          "SELECT entity_id, state FROM change_log WHERE entity = 'consent' ORDER BY serial",
        )
      ).rows.map((r) => [r.entity_id, r.state.measure, r.state.granted]);

    test('CSV import through the API: bad lines by number, consents stored and change-logged', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: { ...auth(operator), 'content-type': 'text/csv' },
        payload: CSV,
      });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.equal(body.imported, 3);
      assert.equal(body.consentsChanged, 4);
      assert.deepEqual(
        body.errors.map((e: { line: number }) => e.line),
        [4, 5],
      );
      assert.match(body.errors[0].message, /e-mail/);
      assert.match(body.errors[1].message, /consent:warn-malicious-site must be yes, no or blank/);
      assert.deepEqual(await consentLog(), [
        ['sub-a@isp.example', 'warn-malicious-site', true],
        ['sub-b@isp.example', 'warn-malicious-site', false],
        ['sub-b@isp.example', 'block-c2', false],
        ['sub-e', 'block-c2', true],
      ]);
      // Importing the same file again changes no consent, so nothing more is logged.
      const again = await app.inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: { ...auth(operator), 'content-type': 'text/csv' },
        payload: CSV,
      });
      assert.equal(again.json().consentsChanged, 0);
      assert.equal((await consentLog()).length, 4);
    });

    test('JSON import; a consent for a measure that does not rest on consent is refused per item', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: auth(operator),
        payload: [
          { id: 'sub-j', email: 'j@example.jp', language: 'en', contact: { phone: '+81-3-0000-0000' } },
          { id: 'sub-k', consents: { 'notify-infected': false } },
        ],
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().imported, 1);
      assert.match(
        r.json().errors[0].message,
        /item 2: measure notify-infected rests on emergency-evacuation/,
      );
    });

    test('viewing contact data needs a measure and a permitting one; every view is audited', async () => {
      const none = await app.inject({
        url: '/api/v1/subscribers/sub-a@isp.example',
        headers: auth(operator),
      });
      assert.equal(none.statusCode, 400);
      assert.match(none.json().error.message, /measure/);
      const ok = await app.inject({
        url: '/api/v1/subscribers/sub-a@isp.example?measure=notify-infected',
        headers: auth(operator),
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().contact, { email: 'a@example.jp', name: '山田太郎' });
      assert.equal(ok.json().language, 'ja');
      const denied = await app.inject({
        url: '/api/v1/subscribers/sub-a@isp.example?measure=block-c2',
        headers: auth(operator),
      });
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.json().error.code, 'MEASURE_DATA_NOT_PERMITTED');
      const views = await listAudit(ctx.store, {
        action: 'subscriber.view',
        subject: 'subscriber:sub-a@isp.example',
      });
      assert.deepEqual(
        views.map((v) => [v.actor, v.measure, v.outcome]),
        [
          ['op', 'block-c2', 'denied'],
          ['op', 'notify-infected', 'allowed'],
        ],
      );
      const role = await app.inject({
        url: '/api/v1/subscribers/sub-a@isp.example?measure=notify-infected',
        headers: auth(analyst),
      });
      assert.equal(role.statusCode, 403);
      const missing = await app.inject({
        url: '/api/v1/subscribers/nobody?measure=notify-infected',
        headers: auth(operator),
      });
      assert.equal(missing.statusCode, 404);
    });

    test('consent change through the API and setConsent: stored, change-logged for DNS, audited', async () => {
      const r = await app.inject({
        method: 'PUT',
        url: '/api/v1/subscribers/sub-a@isp.example/consents/warn-malicious-site',
        headers: auth(operator),
        payload: { granted: false },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {
        subscriber: 'sub-a@isp.example',
        measure: 'warn-malicious-site',
        granted: false,
        changed: true,
      });
      assert.deepEqual((await consentLog()).at(-1), ['sub-a@isp.example', 'warn-malicious-site', false]);
      assert.deepEqual(
        await setConsent(ctx, 'sub-a@isp.example', 'warn-malicious-site', true, 'selfservice'),
        { changed: true },
      );
      assert.deepEqual(
        await setConsent(ctx, 'sub-a@isp.example', 'warn-malicious-site', true, 'selfservice'),
        { changed: false },
      );
      const c = await ctx.store.query(
        'SELECT granted, via FROM consents WHERE subscriber_id = $1 AND measure = $2',
        ['sub-a@isp.example', 'warn-malicious-site'],
      );
      assert.deepEqual(c.rows, [{ granted: true, via: 'selfservice' }]);
      const audit = await listAudit(ctx.store, { action: 'consent.change', limit: 3 });
      assert.deepEqual(
        audit.map((a) => a.actor),
        ['selfservice', 'selfservice', 'api:op'],
      );
      const bad = await app.inject({
        method: 'PUT',
        url: '/api/v1/subscribers/sub-a@isp.example/consents/notify-infected',
        headers: auth(operator),
        payload: { granted: false },
      });
      assert.equal(bad.statusCode, 409);
      assert.equal(bad.json().error.code, 'CONSENT_NOT_APPLICABLE');
      const unknown = await app.inject({
        method: 'PUT',
        url: '/api/v1/subscribers/nobody/consents/block-c2',
        headers: auth(operator),
        payload: { granted: true },
      });
      assert.equal(unknown.statusCode, 404);
    });
  });
}
