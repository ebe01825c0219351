import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import { createToken } from '../auth/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { reputationRoutes } from './api.js';

const FIX = join(import.meta.dirname, 'fixtures');

for (const backend of testBackends()) {
  describe(`reputation API on ${backend.name}`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let app: FastifyInstance;
    let analyst: string;
    let operator: string;
    before(async () => {
      ctx = await testContext(backend, { http: { upload_limit_bytes: 4096 } });
      app = await buildApi(ctx, [reputationRoutes]);
      analyst = (await createToken(ctx.store, 'ana', 'analyst')).token;
      operator = (await createToken(ctx.store, 'op', 'operator')).token;
    });
    after(async () => {
      await app.close();
      await ctx.dispose();
    });
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });

    test('upload import (raw body, gzip too), then check, search and detail', async () => {
      const body = readFileSync(join(FIX, 'urlhaus-small.csv'));
      const denied = await app.inject({
        method: 'POST',
        url: '/api/v1/import?format=urlhaus-csv&source=urlhaus',
        headers: { ...auth(operator), 'content-type': 'text/plain' },
        body,
      });
      assert.equal(denied.statusCode, 403);
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/import?format=urlhaus-csv&source=urlhaus',
        headers: { ...auth(analyst), 'content-type': 'text/plain' },
        body,
      });
      assert.equal(r.statusCode, 200, r.body);
      const s = r.json();
      assert.equal(s.new, 5);
      assert.deepEqual(
        s.rejected.map((x: { line: number }) => x.line),
        [10, 12],
      );
      const gz = await app.inject({
        method: 'POST',
        url: '/api/v1/import?format=feodo-csv&source=feodo',
        headers: { ...auth(analyst), 'content-type': 'application/octet-stream' },
        body: gzipSync(readFileSync(join(FIX, 'feodo-small.csv'))),
      });
      assert.equal(gz.json().new, 1);

      const v = await app.inject({
        url: `/api/v1/check?value=${encodeURIComponent('http://evil-dedicated.example/anything')}`,
        headers: auth(operator),
      });
      assert.equal(v.statusCode, 200);
      assert.equal(v.json().listed, true);
      assert.equal(v.json().matches[0].how, 'host');
      const no = await app.inject({ url: '/api/v1/check?value=example.org', headers: auth(operator) });
      assert.equal(no.json().listed, false);
      const bad = await app.inject({ url: '/api/v1/check?value=http%3A%2F%2F', headers: auth(operator) });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'CANON_INVALID');

      const list = await app.inject({
        url: '/api/v1/indicators?category=c2&limit=5',
        headers: auth(operator),
      });
      assert.deepEqual(
        list.json().items.map((i: { value: string }) => i.value),
        ['45.9.148.9'],
      );
      const id = list.json().items[0].id;
      const d = await app.inject({ url: `/api/v1/indicators/${id}`, headers: auth(operator) });
      assert.equal(d.json().observations[0].source, 'feodo');
      assert.equal(d.json().changes[0].op, 'add');
    });

    test('uploads over http.upload_limit_bytes are refused with 413; unknown format 400', async () => {
      const big = await app.inject({
        method: 'POST',
        url: '/api/v1/import?format=plain-urls',
        headers: { ...auth(analyst), 'content-type': 'text/plain' },
        body: 'http://x.example/\n'.repeat(1000),
      });
      assert.equal(big.statusCode, 413);
      assert.equal(big.json().error.code, 'REQUEST_TOO_LARGE');
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/v1/import?format=nope',
        headers: { ...auth(analyst), 'content-type': 'text/plain' },
        body: 'x',
      });
      assert.equal(unknown.statusCode, 400);
    });

    test('false-positive report, review queue, delisting; allowlist and sources', async () => {
      const rep = await app.inject({
        method: 'POST',
        url: '/api/v1/fp-reports',
        headers: auth(operator),
        payload: { value: 'http://185.220.101.7:8080/bins/x86', reason: 'ours', lang: 'ja' },
      });
      assert.equal(rep.statusCode, 201);
      assert.match(rep.json().message, /ありがとうございます/);
      const queue = await app.inject({ url: '/api/v1/fp-reports?status=pending', headers: auth(operator) });
      assert.equal(queue.json().length, 1);
      const id = rep.json().report.id;
      const forbidden = await app.inject({
        method: 'POST',
        url: `/api/v1/fp-reports/${id}/review`,
        headers: auth(operator),
        payload: { decision: 'accept', note: 'x' },
      });
      assert.equal(forbidden.statusCode, 403);
      const ok = await app.inject({
        method: 'POST',
        url: `/api/v1/fp-reports/${id}/review`,
        headers: auth(analyst),
        payload: { decision: 'accept', note: 'verified clean' },
      });
      assert.equal(ok.json().status, 'accepted');
      const v = await app.inject({ url: '/api/v1/check?value=185.220.101.7', headers: auth(operator) });
      assert.equal(v.json().listed, false);
      const ch = await app.inject({ url: '/api/v1/changes?since=0', headers: auth(operator) });
      assert.equal(ch.json().changes.at(-1).op, 'remove');
      assert.equal(ch.json().serial, ch.json().changes.at(-1).serial);

      const al = await app.inject({
        method: 'POST',
        url: '/api/v1/allowlist',
        headers: auth(analyst),
        payload: { kind: 'registrable', value: 'evil-dedicated.example', reason: 'test' },
      });
      assert.equal(al.statusCode, 201);
      assert.equal(al.json().affected, 1);
      const dup = await app.inject({
        method: 'POST',
        url: '/api/v1/allowlist',
        headers: auth(analyst),
        payload: { kind: 'registrable', value: 'evil-dedicated.example', reason: 'test' },
      });
      assert.equal(dup.statusCode, 409);

      const src = await app.inject({
        method: 'PATCH',
        url: '/api/v1/sources/1',
        headers: auth(analyst),
        payload: { reliability: 0.8, default_ttl_days: { 'malware-distribution': 10 } },
      });
      assert.equal(src.statusCode, 200, src.body);
      assert.equal(src.json().reliability, 0.8);
      const sources = await app.inject({ url: '/api/v1/sources', headers: auth(operator) });
      assert.equal(
        sources.json().find((s: { name: string }) => s.name === 'urlhaus').health.last_import.new,
        5,
      );
      const del = await app.inject({ method: 'DELETE', url: '/api/v1/sources/1', headers: auth(analyst) });
      assert.equal(del.statusCode, 409);
      const spec = (await app.inject('/api/v1/openapi.json')).json();
      assert.ok(spec.paths['/api/v1/check']);
      assert.ok(spec.paths['/api/v1/import']);
    });
  });
}
