import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestBackend } from '../testing/stores.js';
import { migrate } from './index.js';
import type { Store } from './types.js';

/** The behaviour every Store backend must show identically. */
export function storeConformance(backend: TestBackend) {
  describe(`store conformance: ${backend.name}`, () => {
    let store: Store & { dispose(): Promise<void> };
    before(async () => {
      store = await backend.open();
      await store.exec(`CREATE TABLE conf_t (id bigserial PRIMARY KEY, n numeric, t text, at timestamptz, a inet, c cidr,
        r tstzrange, j jsonb, arr text[], b boolean)`);
    });
    after(() => store.dispose());

    test('value types are the same on every backend', async () => {
      const r = await store.query<Record<string, unknown>>(
        `INSERT INTO conf_t (n, t, at, a, c, r, j, arr, b) VALUES (1.5, 'x', '2026-01-02T03:04:05.678Z', '192.0.2.1', '2001:db8::/48',
         tstzrange('2026-01-01Z', '2026-01-02Z'), '{"k": [1, "two"]}', ARRAY['a','b'], true) RETURNING *`,
      );
      const row = r.rows[0];
      assert.equal(row.id, 1);
      assert.equal(row.n, 1.5);
      assert.ok(row.at instanceof Date);
      assert.equal((row.at as Date).toISOString(), '2026-01-02T03:04:05.678Z');
      assert.equal(row.a, '192.0.2.1');
      assert.equal(row.c, '2001:db8::/48');
      assert.equal(typeof row.r, 'string');
      assert.deepEqual(row.j, { k: [1, 'two'] });
      assert.deepEqual(row.arr, ['a', 'b']);
      assert.equal(row.b, true);
      const count = await store.query<{ n: number }>('SELECT count(*) AS n FROM conf_t');
      assert.equal(count.rows[0].n, 1, 'count(*) (int8) comes back as a number');
    });

    test('rowCount reports affected rows', async () => {
      await store.query(`INSERT INTO conf_t (t) VALUES ('u1'), ('u2')`);
      const r = await store.query(`UPDATE conf_t SET b = false WHERE t LIKE 'u%'`);
      assert.equal(r.rowCount, 2);
    });

    test('transaction commits on success and rolls back on error', async () => {
      await store.transaction(async (tx) => {
        await tx.query(`INSERT INTO conf_t (t) VALUES ('committed')`);
      });
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.query(`INSERT INTO conf_t (t) VALUES ('rolled-back')`);
          throw new Error('boom');
        }),
        /boom/,
      );
      const r = await store.query<{ t: string }>(
        `SELECT t FROM conf_t WHERE t IN ('committed', 'rolled-back')`,
      );
      assert.deepEqual(
        r.rows.map((x) => x.t),
        ['committed'],
      );
    });

    test('copyFrom loads rows with NULLs, quotes, newlines, unicode and JSON, streaming from an async iterable', async () => {
      async function* rows() {
        yield [null, 'plain', null, { a: 1 }];
        yield [2.25, 'with "quotes", commas\nand newline', '198.51.100.7', null];
        yield [3, '', '2001:db8::1', ['x']];
        yield [4, '日本語ドメイン.jp', null, { ja: '注意' }];
        for (let i = 0; i < 5000; i++) yield [i, `bulk-${i}`, null, null];
      }
      const n = await store.copyFrom('conf_t', ['n', 't', 'a', 'j'], rows());
      assert.equal(n, 5004);
      const r = await store.query<{ n: number | null; t: string; a: string | null; j: unknown }>(
        `SELECT n, t, a, j FROM conf_t WHERE t NOT LIKE 'bulk-%' AND t NOT IN ('x','u1','u2','committed') ORDER BY id`,
      );
      assert.deepEqual(r.rows, [
        { n: null, t: 'plain', a: null, j: { a: 1 } },
        { n: 2.25, t: 'with "quotes", commas\nand newline', a: '198.51.100.7', j: null },
        { n: 3, t: '', a: '2001:db8::1', j: ['x'] },
        { n: 4, t: '日本語ドメイン.jp', a: null, j: { ja: '注意' } },
      ]);
      const bulk = await store.query<{ n: number }>(`SELECT count(*) AS n FROM conf_t WHERE t LIKE 'bulk-%'`);
      assert.equal(bulk.rows[0].n, 5000);
    });

    test('copyFrom sends chunks encoded elsewhere as they are, and counts their rows', async () => {
      async function* encoded() {
        yield { text: '"enc-1 ""quoted"", text",true\n', count: 1 };
        yield { text: 'enc-2,\nenc-3,false\n', count: 2 };
      }
      assert.equal(await store.copyFrom('conf_t', ['t', 'b'], { encoded: encoded() }), 3);
      const r = await store.query<{ t: string; b: boolean | null }>(
        `SELECT t, b FROM conf_t WHERE t LIKE 'enc-%' ORDER BY t`,
      );
      assert.deepEqual(r.rows, [
        { t: 'enc-1 "quoted", text', b: true },
        { t: 'enc-2', b: null },
        { t: 'enc-3', b: false },
      ]);
    });

    test('copyFrom inside a transaction rolls back with it', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.copyFrom('conf_t', ['t'], [['in-tx-1'], ['in-tx-2']]);
          throw new Error('abort');
        }),
      );
      const r = await store.query<{ n: number }>(`SELECT count(*) AS n FROM conf_t WHERE t LIKE 'in-tx-%'`);
      assert.equal(r.rows[0].n, 0);
    });

    test('a failing statement rejects with the server message', async () => {
      await assert.rejects(store.query('SELECT * FROM no_such_table'), /no_such_table/);
      assert.equal(await store.ping(), true, 'the store is still usable');
    });

    test('migrate is idempotent and refuses an edited migration', async () => {
      const again = await migrate(store);
      assert.deepEqual(again.applied, []);
      assert.ok(again.alreadyApplied >= 1);
      const extra = [{ id: '9999_conf', sql: 'CREATE TABLE conf_m (x int);' }];
      assert.deepEqual((await migrate(store, extra)).applied, ['9999_conf']);
      await assert.rejects(
        migrate(store, [{ id: '9999_conf', sql: 'CREATE TABLE conf_m (y int);' }]),
        /forward-only/,
      );
    });

    test('foundation schema: GiST interval match over assignments works', async () => {
      await store.query(
        `INSERT INTO assignments (subscriber_id, prefix, during, kind) VALUES
         ('s1', '192.0.2.10/32', tstzrange('2026-01-01Z','2026-01-02Z'), 'radius'),
         ('s2', '192.0.2.10/32', tstzrange('2026-01-02Z','2026-01-03Z'), 'radius'),
         ('s3', '2001:db8:1::/56', tstzrange('2026-01-01Z', NULL), 'radius')`,
      );
      const at = async (addr: string, t: string) =>
        (
          await store.query<{ subscriber_id: string }>(
            `SELECT subscriber_id FROM assignments WHERE prefix >>= $1::inet AND during @> $2::timestamptz`,
            [addr, t],
          )
        ).rows.map((r) => r.subscriber_id);
      assert.deepEqual(await at('192.0.2.10', '2026-01-01T12:00:00Z'), ['s1']);
      assert.deepEqual(await at('192.0.2.10', '2026-01-02T12:00:00Z'), ['s2']);
      assert.deepEqual(await at('2001:db8:1:ff::1', '2026-06-01T00:00:00Z'), ['s3']);
      assert.deepEqual(await at('192.0.2.11', '2026-01-01T12:00:00Z'), []);
    });
  });
}
