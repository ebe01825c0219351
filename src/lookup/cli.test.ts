import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import type { AppContext } from '../app/index.js';
import { createToken } from '../auth/index.js';
import { runCli } from '../testing/cli.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';

describe('yojin lookup (CLI)', () => {
  let ctx: AppContext & { dispose(): Promise<void> };
  let app: FastifyInstance;
  let token: string;
  let server: string;
  before(async () => {
    ctx = await testContext(testBackends()[0], { log: { level: 'error', format: 'json' } });
    app = await buildApi(ctx);
    token = (await createToken(ctx.store, 'cli', 'operator')).token;
    const r = await ctx.store.query<{ id: string }>(
      `INSERT INTO indicators (kind, value, category, status, scope, first_seen, last_seen)
       VALUES ('domain', 'phish.example', 'phishing', 'active', 'domain', now(), now()) RETURNING id`,
    );
    await ctx.store.query(`INSERT INTO change_log (entity, entity_id, op) VALUES ('indicator', $1, 'add')`, [
      r.rows[0].id,
    ]);
    await app.listen({ host: '127.0.0.1', port: 0 });
    server = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await app.close();
    await ctx.dispose();
  });

  test('lookup check reports listed and clean URLs through the API', async () => {
    const r = await runCli(
      [
        'lookup',
        'check',
        'https://www.phish.example/login',
        'http://clean.example/',
        '--server',
        server,
        '--json',
      ],
      { env: { YOJIN_TOKEN: token } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      {
        url: 'https://www.phish.example/login',
        listed: true,
        matches: [{ expression: 'phish.example/', category: 'phishing' }],
      },
      { url: 'http://clean.example/', listed: false, matches: [] },
    ]);
  });
});
