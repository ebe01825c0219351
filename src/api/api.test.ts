import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { createToken } from '../auth/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { buildApi } from './index.js';

const [backend] = testBackends();

describe('HTTP API foundation', () => {
  let ctx: AppContext & { dispose(): Promise<void> };
  let app: FastifyInstance;
  let admin: string;
  let analyst: string;
  before(async () => {
    ctx = await testContext(backend, { http: { body_limit_bytes: 2048 } });
    app = await buildApi(ctx);
    admin = (await createToken(ctx.store, 'root', 'admin')).token;
    analyst = (await createToken(ctx.store, 'ana', 'analyst')).token;
  });
  after(async () => {
    await app.close();
    await ctx.dispose();
  });
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  test('health, readiness and metrics need no token', async () => {
    assert.equal((await app.inject('/healthz')).json().status, 'ok');
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().checks.store.ok, true);
    const metrics = await app.inject('/metrics');
    assert.match(
      metrics.body,
      /^yojin_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1$/m,
    );
    assert.match(metrics.body, /yojin_process_cpu_seconds_total/);
  });

  test('readiness fails when a contributor fails', async () => {
    ctx.readiness.push({ name: 'dns-policy', check: async () => ({ ok: false, detail: 'fail-static' }) });
    const r = await app.inject('/readyz');
    assert.equal(r.statusCode, 503);
    assert.deepEqual(r.json().checks['dns-policy'], { ok: false, detail: 'fail-static' });
    ctx.readiness.pop();
  });

  test('no token → 401 AUTH_MISSING; a wrong token → 401 AUTH_INVALID', async () => {
    const none = await app.inject('/api/v1/measures');
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'AUTH_MISSING');
    const bad = await app.inject({
      url: '/api/v1/measures',
      headers: auth('yjn_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().error.code, 'AUTH_INVALID');
    const garbage = await app.inject({ url: '/api/v1/measures', headers: auth('hello') });
    assert.equal(garbage.json().error.code, 'AUTH_INVALID');
    assert.match(garbage.json().error.message, /malformed/);
  });

  test('a role without the right → 403 AUTH_FORBIDDEN naming the roles needed', async () => {
    const r = await app.inject({ url: '/api/v1/tokens', headers: auth(analyst) });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error.code, 'AUTH_FORBIDDEN');
    assert.match(r.json().error.message, /admin/);
    assert.equal((await app.inject({ url: '/api/v1/measures', headers: auth(analyst) })).statusCode, 200);
  });

  test('an invalid body → 400 REQUEST_INVALID with the field', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(admin),
      payload: { name: 'x', role: 'king' },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, 'REQUEST_INVALID');
    assert.equal(r.json().error.details[0].where, 'body.role');
    const extra = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(admin),
      payload: { name: 'x', role: 'auditor', admin: true },
    });
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().error.details[0].key, 'admin');
  });

  test('malformed JSON → 400, oversized → 413, wrong media type → 415, unknown route → 404', async () => {
    const json = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    assert.equal(json.statusCode, 400);
    assert.equal(json.json().error.code, 'REQUEST_INVALID');
    const big = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(admin),
      payload: { name: 'x'.repeat(5000), role: 'admin' },
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, 'REQUEST_TOO_LARGE');
    const media = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...auth(admin), 'content-type': 'application/x-nonsense' },
      payload: 'x',
    });
    assert.equal(media.statusCode, 415);
    assert.equal(media.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const nf = await app.inject({ url: '/api/v1/nothing', headers: auth(admin) });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, 'NOT_FOUND');
  });

  test('tokens: create, use, revoke', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(admin),
      payload: { name: 'aud', role: 'auditor' },
    });
    assert.equal(created.statusCode, 201);
    const { token, id } = created.json();
    assert.equal((await app.inject({ url: '/api/v1/whoami', headers: auth(token) })).json().role, 'auditor');
    assert.equal(
      (await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: auth(admin) })).statusCode,
      204,
    );
    const after = await app.inject({ url: '/api/v1/whoami', headers: auth(token) });
    assert.equal(after.statusCode, 401);
    assert.match(after.json().error.message, /revoked/);
  });

  test('audit API: auditors list and verify; token actions are recorded', async () => {
    const list = await app.inject({ url: '/api/v1/audit?action=token.create', headers: auth(admin) });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().records[0].action, 'token.create');
    const v = await app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: auth(admin) });
    assert.equal(v.json().ok, true);
    assert.equal((await app.inject({ url: '/api/v1/audit', headers: auth(analyst) })).statusCode, 403);
  });

  test('the OpenAPI document describes the routes from their schemas', async () => {
    const doc = (await app.inject('/api/v1/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/tokens'].post.requestBody);
    assert.deepEqual(
      doc.paths['/api/v1/tokens'].post.requestBody.content['application/json'].schema.properties.role.enum,
      ['admin', 'analyst', 'operator', 'auditor'],
    );
    assert.ok(doc.paths['/api/v1/measures'].get);
  });
});
