import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import type { AppContext } from '../app/index.js';
import { createToken } from '../auth/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { fullHash, LookupClient, listSince, syncLookupList } from './index.js';
import { lookupService } from './service.js';
import { sha256Prefix32 } from './sha256.js';

const b64prefix = (expression: string) =>
  createHash('sha256').update(expression).digest().subarray(0, 4).toString('base64');

describe('Safe Browsing hash computations (spec examples)', () => {
  test('full hashes and 4-byte prefixes', () => {
    // The spec's examples are the FIPS 180-2 SHA-256 test vectors.
    assert.equal(
      fullHash('abc').toString('hex'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.equal(
      fullHash('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq').toString('hex'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    assert.equal(
      fullHash('a'.repeat(1_000_000)).toString('hex'),
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
    assert.equal(fullHash('abc').subarray(0, 4).toString('hex'), 'ba7816bf');
    // the client's own prefix function agrees on the same vectors
    assert.equal(sha256Prefix32('abc'), 0xba7816bf);
    assert.equal(sha256Prefix32('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), 0x248d6a61);
    assert.equal(sha256Prefix32('a'.repeat(1_000_000)), 0xcdc76e5c);
  });
});

for (const backend of testBackends()) {
  describe(`lookup API on ${backend.name}`, () => {
    let ctx: AppContext & { dispose(): Promise<void> };
    let app: FastifyInstance;
    let token: string;
    const ids: Record<string, number> = {};

    async function list(
      value: string,
      kind: string,
      opts: { scope?: string; category?: string; status?: string } = {},
    ) {
      const r = await ctx.store.query<{ id: string }>(
        `INSERT INTO indicators (kind, value, category, status, scope, first_seen, last_seen)
         VALUES ($1, $2, $3, $4, $5, now(), now()) RETURNING id`,
        [
          kind,
          value,
          opts.category ?? 'malware-distribution',
          opts.status ?? 'active',
          opts.scope ?? 'exact',
        ],
      );
      const id = Number(r.rows[0].id);
      ids[value] = id;
      await log(id, 'add');
      return id;
    }
    async function setStatus(value: string, status: string) {
      await ctx.store.query('UPDATE indicators SET status = $2 WHERE id = $1', [ids[value], status]);
      await log(ids[value], status === 'active' ? 'add' : 'remove');
    }
    async function log(id: number, op: string) {
      await ctx.store.query(
        `INSERT INTO change_log (entity, entity_id, op, state)
         SELECT 'indicator', id::text, $2, jsonb_build_object('kind', kind, 'value', value, 'status', status)
           FROM indicators WHERE id = $1`,
        [id, op],
      );
    }
    const get = async (url: string, t = token) =>
      app.inject({ url, headers: { authorization: `Bearer ${t}` } });
    const post = async (url: string, payload: unknown, t = token) =>
      app.inject({
        method: 'POST',
        url,
        payload: payload as object,
        headers: { authorization: `Bearer ${t}` },
      });

    before(async () => {
      ctx = await testContext(backend, { lookup: { cache_seconds: 600, max_prefixes: 50 } });
      app = await buildApi(ctx);
      // any valid token works: the lookup API asks for no role
      token = (await createToken(ctx.store, 'portal', 'auditor')).token;
      await list('http://evil.example/a/b.exe', 'url', { scope: 'url' });
      await list('bad.example', 'domain', { scope: 'domain', category: 'phishing' });
      await list('hostonly.example', 'domain', { scope: 'host', category: 'phishing' });
      await list('192.0.2.1', 'ip', { scope: 'address', category: 'c2' });
      await list('2001:db8::1', 'ip', { scope: 'address', category: 'c2' });
      await list('198.51.100.0/24', 'cidr', { scope: 'address', category: 'c2' }); // a network: no expression
      await list('gone.example', 'domain', { status: 'expired' });
    });
    after(async () => {
      await app.close();
      await ctx.dispose();
    });

    test('the first request gets the full list of listed expressions, sorted', async () => {
      const r = await get('/api/v1/lookup/list');
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      const serial = await ctx.store.query<{ m: string }>('SELECT max(serial) AS m FROM change_log');
      assert.equal(body.version, Number(serial.rows[0].m));
      assert.equal(body.full, true);
      const expected = [
        'evil.example/a/b.exe',
        'bad.example/',
        'hostonly.example/',
        '192.0.2.1/',
        '[2001:db8::1]/',
      ]
        .map(b64prefix)
        .sort((a, b) => Buffer.from(a, 'base64').readInt32BE(0) - Buffer.from(b, 'base64').readInt32BE(0));
      assert.deepEqual(body.additions, expected);
      assert.deepEqual(body.removals, []);
    });

    test('diffs since a version: additions and removals; nothing new → empty diff', async () => {
      const v1 = (await get('/api/v1/lookup/list')).json().version;
      assert.deepEqual((await get(`/api/v1/lookup/list?since=${v1}`)).json(), {
        version: v1,
        full: false,
        additions: [],
        removals: [],
      });
      await setStatus('hostonly.example', 'delisted');
      await list('new.example', 'domain', { scope: 'host' });
      await setStatus('gone.example', 'active');
      const d = (await get(`/api/v1/lookup/list?since=${v1}`)).json();
      assert.equal(d.full, false);
      assert.ok(d.version > v1);
      assert.deepEqual(
        new Set(d.additions),
        new Set([b64prefix('new.example/'), b64prefix('gone.example/')]),
      );
      assert.deepEqual(d.removals, [b64prefix('hostonly.example/')]);
      // applying v1's full list + this diff equals the current full list
      const full1 = new Set<string>((await get('/api/v1/lookup/list')).json().additions);
      assert.equal(full1.has(b64prefix('hostonly.example/')), false);
      assert.equal(full1.has(b64prefix('new.example/')), true);
    });

    test('a prefix shared by two listings stays until the last one goes', async () => {
      await list('http://shared.example/', 'url', { scope: 'url' });
      await list('shared.example', 'domain', { scope: 'host' });
      const v = (await get('/api/v1/lookup/list')).json().version;
      await setStatus('shared.example', 'delisted');
      const d1 = (await get(`/api/v1/lookup/list?since=${v}`)).json();
      assert.deepEqual(d1.removals, []);
      await setStatus('http://shared.example/', 'expired');
      const d2 = (await get(`/api/v1/lookup/list?since=${v}`)).json();
      assert.deepEqual(d2.removals, [b64prefix('shared.example/')]);
    });

    test('a version ahead of the server or older than the history gets the full list', async () => {
      const now = (await get('/api/v1/lookup/list')).json();
      const ahead = (await get(`/api/v1/lookup/list?since=${now.version + 100}`)).json();
      assert.equal(ahead.full, true);
      assert.deepEqual(ahead.additions, now.additions);
      // the ledger was built after the first serials: a diff from before it is a full list
      assert.equal((await get('/api/v1/lookup/list?since=0')).json().full, true);
      // history window: only the last 2 serials are kept for diffs
      const short = await listSince(ctx.store, now.version - 5, { historySerials: 2 });
      assert.equal(short.full, true);
    });

    test('full hashes with category and cache durations; bad prefixes and no token refused', async () => {
      const r = await post('/api/v1/lookup/full-hashes', {
        prefixes: [b64prefix('bad.example/'), b64prefix('nothing.example/')],
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {
        matches: [
          { hash: fullHash('bad.example/').toString('base64'), category: 'phishing', subdomains: true },
        ],
        cache_seconds: 600,
        negative_cache_seconds: 300,
      });
      const longer = await post('/api/v1/lookup/full-hashes', {
        prefixes: [fullHash('192.0.2.1/').subarray(0, 8).toString('base64')],
      });
      assert.equal(longer.json().matches[0].category, 'c2');
      const bad = await post('/api/v1/lookup/full-hashes', { prefixes: ['AAA'] });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'LOOKUP_INVALID_PREFIX');
      const many = await post('/api/v1/lookup/full-hashes', { prefixes: Array(51).fill('AAAAAA==') });
      assert.equal(many.json().error.code, 'REQUEST_INVALID');
      const none = await app.inject({ url: '/api/v1/lookup/list' });
      assert.equal(none.statusCode, 401);
      const doc = (await app.inject('/api/v1/openapi.json')).json();
      assert.ok(doc.paths['/api/v1/lookup/list'].get);
      assert.ok(doc.paths['/api/v1/lookup/full-hashes'].post);
    });

    test('the client checks URLs locally and confirms by full hash; the URL never leaves it', async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address() as { port: number };
      const sent: string[] = [];
      const recording: typeof fetch = async (input, init) => {
        sent.push(`${String(input)}\n${init?.body ?? ''}`);
        return fetch(input, init);
      };
      const client = new LookupClient({ baseUrl: `http://127.0.0.1:${addr.port}`, token, fetch: recording });
      const first = await client.update();
      assert.equal(first.full, true);
      assert.equal(client.size, first.added);

      const listedUrl = 'HTTP://Evil.Example:80/a/./b.exe?x=1#frag';
      assert.deepEqual(await client.check(listedUrl), {
        listed: true,
        matches: [{ expression: 'evil.example/a/b.exe', category: 'malware-distribution' }],
      });
      const sub = await client.check('https://login.bad.example/secure/index.html');
      assert.equal(sub.listed, true);
      assert.deepEqual(sub.matches, [{ expression: 'bad.example/', category: 'phishing' }]);
      // new.example is listed for that host only: a subdomain is not covered
      assert.equal((await client.check('http://www.new.example/')).listed, false);
      assert.equal((await client.check('http://new.example/page')).listed, true);
      // a URL listing is for its host: the same path on a subdomain is not listed
      assert.equal((await client.check('http://x.evil.example/a/b.exe')).listed, false);
      assert.equal((await client.check('http://[2001:db8:0::1]/x')).listed, true);
      assert.equal((await client.check('http://0xc0.0.2.1/')).listed, true);

      const before = sent.length;
      assert.deepEqual(await client.check('http://harmless.example/page'), { listed: false, matches: [] });
      assert.equal(sent.length, before, 'a prefix miss asks the server nothing');

      // What went over the wire: list requests and 4-byte prefixes, nothing of the URLs.
      const secrets = [
        'evil',
        'bad.example',
        'new.example',
        'harmless',
        'b.exe',
        'secure',
        '2001',
        '192.0.2',
        'frag',
      ];
      for (const s of sent)
        for (const secret of secrets) assert.ok(!s.includes(secret), `sent ${s} contains ${secret}`);
      for (const s of sent.filter((x) => x.includes('full-hashes'))) {
        const { prefixes } = JSON.parse(s.split('\n')[1]);
        for (const p of prefixes) assert.equal(Buffer.from(p, 'base64').length, 4);
      }

      // A cached answer is reused until it expires.
      const n = sent.length;
      await client.check(listedUrl);
      assert.equal(sent.length, n);

      // Delisting reaches the client through a diff.
      await setStatus('http://evil.example/a/b.exe', 'delisted');
      const diff = await client.update();
      assert.equal(diff.full, false);
      assert.equal(diff.removed, 1);
      assert.equal((await client.check(listedUrl)).listed, false);
    });

    test('the serve service syncs at start and stops cleanly', async () => {
      await list('service.example', 'domain', { scope: 'host' });
      const svc = lookupService(ctx);
      await svc.start();
      await svc.stop(); // waits for the running sync
      const st = await ctx.store.query<{ version: string }>('SELECT version FROM lookup_state');
      const max = await ctx.store.query<{ m: string }>('SELECT max(serial) AS m FROM change_log');
      assert.equal(Number(st.rows[0].version), Number(max.rows[0].m));
      const r = await post('/api/v1/lookup/full-hashes', { prefixes: [b64prefix('service.example/')] });
      assert.equal(r.json().matches.length, 1);
    });

    test('a change committed late under a lower serial still reaches clients, under a new version', async () => {
      const max = Number(
        (await ctx.store.query<{ m: string }>('SELECT max(serial) AS m FROM change_log')).rows[0].m,
      );
      // Leave a gap, as a transaction that took serial max+1 but has not committed yet would.
      await ctx.store.query(`SELECT setval('change_log_serial_seq', $1)`, [max + 10]);
      await list('early.example', 'domain', { scope: 'host' }); // serial max+11
      const v1 = (await get('/api/v1/lookup/list')).json().version;
      assert.equal(v1, max + 11);
      // Now the "late" transaction commits with the lower serial.
      const late = await ctx.store.query<{ id: string }>(
        `INSERT INTO indicators (kind, value, category, status, scope, first_seen, last_seen)
         VALUES ('domain', 'late.example', 'phishing', 'active', 'host', now(), now()) RETURNING id`,
      );
      await ctx.store.query(
        `INSERT INTO change_log (serial, entity, entity_id, op) VALUES ($1, 'indicator', $2, 'add')`,
        [max + 1, late.rows[0].id],
      );
      const r = await syncLookupList(ctx.store, { force: true });
      assert.equal(r.added, 1);
      assert.ok(r.version > v1, 'the version moves past what clients already hold');
      const d = (await get(`/api/v1/lookup/list?since=${v1}`)).json();
      assert.deepEqual(d.additions, [b64prefix('late.example/')]);
    });

    test('the first build reads every active indicator across batches', async () => {
      await ctx.store.query(
        `INSERT INTO indicators (kind, value, category, status, scope, first_seen, last_seen)
         SELECT 'domain', 'bulk' || g || '.example', 'malware-distribution',
                CASE WHEN g % 10 = 0 THEN 'expired' ELSE 'active' END, 'host', now(), now()
           FROM generate_series(1, 6000) g`,
      );
      await ctx.store.query('DELETE FROM lookup_entries');
      await ctx.store.query('UPDATE lookup_state SET built = false');
      const active = Number(
        (
          await ctx.store.query<{ n: string }>(
            `SELECT count(*) AS n FROM indicators WHERE status = 'active' AND kind IN ('url', 'domain', 'ip')`,
          )
        ).rows[0].n,
      );
      const r = await syncLookupList(ctx.store);
      assert.equal(r.rebuilt, true);
      assert.equal(r.added, active);
      const full = (await get('/api/v1/lookup/list?since=1')).json();
      assert.equal(full.full, true);
      const distinct = Number(
        (
          await ctx.store.query<{ n: string }>(
            'SELECT count(DISTINCT prefix) AS n FROM lookup_entries WHERE removed_version IS NULL',
          )
        ).rows[0].n,
      );
      assert.equal(full.additions.length, distinct);
      assert.ok(distinct > 5_000);
    });

    test('sync is idempotent and notices an indicator changed in place', async () => {
      const a = await syncLookupList(ctx.store);
      const b = await syncLookupList(ctx.store);
      assert.equal(b.version, a.version);
      assert.equal(b.added + b.removed, 0);
      // a category change (update) replaces the entry: same prefix, so no list diff, new category
      await ctx.store.query(`UPDATE indicators SET category = 'exploit' WHERE id = $1`, [ids['bad.example']]);
      await log(ids['bad.example'], 'update');
      const c = await syncLookupList(ctx.store);
      assert.equal(c.added, 1);
      assert.equal(c.removed, 1);
      const r = await post('/api/v1/lookup/full-hashes', { prefixes: [b64prefix('bad.example/')] });
      assert.equal(r.json().matches[0].category, 'exploit');
    });
  });
}
