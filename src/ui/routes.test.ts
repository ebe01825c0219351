import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import { listAudit } from '../audit/index.js';
import { createToken } from '../auth/index.js';
import { addEvidence, addSubscriber } from '../cases/fixtures.js';
import { caseRoutes, listCases, runCycle } from '../cases/index.js';
import { type SmtpSink, startSmtpSink } from '../notify/sink.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { uiRoutes } from './routes.js';

// A tiny stand-in for dist-ui: the serving rules do not depend on what Vite produced.
const dir = mkdtempSync(join(tmpdir(), 'yojin-ui-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>yojin</title><div id="app"></div>');
writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
after(() => rmSync(dir, { recursive: true, force: true }));

let sink: SmtpSink;
before(async () => {
  sink = await startSmtpSink();
});
after(() => sink.close());

for (const backend of testBackends()) {
  describe(`dashboard routes on ${backend.name}`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let app: FastifyInstance;
    let missing: FastifyInstance;
    let operator: string;
    let analyst: string;
    before(async () => {
      ctx = await testContext(backend, {
        smtp: { url: sink.url, from: 'ISP <sec@isp.example>' },
        cases: { observe_days: 5 },
      });
      app = await buildApi(ctx, [caseRoutes, uiRoutes(dir)]);
      missing = await buildApi(ctx, [uiRoutes(join(dir, 'nope'))]);
      operator = (await createToken(ctx.store, 'op', 'operator')).token;
      analyst = (await createToken(ctx.store, 'ana', 'analyst')).token;
    });
    after(async () => {
      await app.close();
      await missing.close();
      await ctx.dispose();
    });

    test('/ redirects to /ui/; index.html for client routes, not cached; hashed assets immutable with their types', async () => {
      const root = await app.inject('/');
      assert.equal(root.statusCode, 302);
      assert.equal(root.headers.location, '/ui/');
      for (const url of ['/ui/', '/ui/overview', '/ui/cases/12']) {
        const r = await app.inject(url);
        assert.equal(r.statusCode, 200, url);
        assert.match(String(r.headers['content-type']), /^text\/html/);
        assert.equal(r.headers['cache-control'], 'no-cache');
        assert.match(r.body, /<div id="app">/);
        assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
      }
      const js = await app.inject('/ui/assets/index-abc123.js');
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /^text\/javascript/);
      assert.match(String(js.headers['cache-control']), /immutable/);
      assert.match(
        String((await app.inject('/ui/assets/index-abc123.css')).headers['content-type']),
        /^text\/css/,
      );
      assert.equal(
        (await app.inject('/ui/assets/gone-000.js')).statusCode,
        404,
        'a missing asset is not the app',
      );
      assert.notEqual(
        (await app.inject('/ui/..%2f..%2fpackage.json')).body.includes('"name"'),
        true,
        'no escape from the folder',
      );
    });

    test('without a build the page says to run npm run build, in both languages', async () => {
      const r = await missing.inject('/ui/overview');
      assert.equal(r.statusCode, 503);
      assert.match(r.body, /npm run build/);
      assert.match(r.body, /未ビルド/);
    });

    test('settings: the escalation schedule from the configuration, for any signed-in role', async () => {
      assert.equal((await app.inject('/api/v1/ui/settings')).statusCode, 401);
      const r = await app.inject({
        url: '/api/v1/ui/settings',
        headers: { authorization: `Bearer ${analyst}` },
      });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().escalation.observe_days, 5);
      assert.deepEqual(r.json().escalation.channels, ['email']);
    });

    test('notice preview in the language asked for: operator only, audited', async () => {
      await addSubscriber(ctx.store, 'S-ui', { email: 'ui@example.jp' }, 'ja');
      await addEvidence(ctx.store, { subscriber: 'S-ui', seenAt: '2026-10-31T10:00:00Z', family: 'mirai' });
      await runCycle(ctx);
      const [c] = await listCases(ctx.store, { subscriber: 'S-ui' });
      const get = (lang: string, token: string) =>
        app.inject({
          url: `/api/v1/ui/cases/${c.id}/preview?lang=${lang}`,
          headers: { authorization: `Bearer ${token}` },
        });
      const ja = await get('ja', operator);
      const en = await get('en', operator);
      assert.equal(ja.statusCode, 200, ja.body);
      assert.equal(ja.json().lang, 'ja');
      assert.equal(en.json().lang, 'en');
      assert.notEqual(ja.json().subject, en.json().subject);
      assert.equal((await get('en', analyst)).statusCode, 403);
      assert.equal((await get('fr', operator)).statusCode, 400);
      const audited = await listAudit(ctx.store, { action: 'notice.preview' });
      assert.ok(
        audited.some((a) => a.details && (a.details as { lang?: string }).lang === 'en'),
        'the preview read is audited',
      );
    });
  });
}
