import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getParser, readLines } from '../pipeline/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { deleteSource, getIndicator, importFeed } from './index.js';

// Migration 0102 replaced the foreign keys of `observations` by statement-level checks; these are
// the rules the foreign keys enforced, and the derived host rows' raw record (only its URL).

const FIX = join(import.meta.dirname, 'fixtures');

/** A test context with the small URLhaus fixture imported (observations to reference). */
async function importedContext(backend: Parameters<typeof testContext>[0]) {
  const ctx = await testContext(backend);
  await importFeed(ctx, {
    source: 'urlhaus',
    format: 'urlhaus-csv',
    items: getParser('urlhaus-csv').parse(readLines(join(FIX, 'urlhaus-small.csv'))),
  });
  return ctx;
}

/** The SQLSTATE of a failed query (both backends put it on `code`). */
async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
  return undefined;
}

for (const backend of testBackends()) {
  describe(`observations' references on ${backend.name}`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let indicatorId: number;
    let sourceId: number;
    before(async () => {
      ctx = await importedContext(backend);
      const r = await ctx.store.query<{ indicator_id: number; source_id: number }>(
        'SELECT indicator_id, source_id FROM observations ORDER BY indicator_id LIMIT 1',
      );
      indicatorId = Number(r.rows[0].indicator_id);
      sourceId = Number(r.rows[0].source_id);
    });
    after(() => ctx.dispose());

    const insertObs = (indicator: number, source: number) =>
      ctx.store.query(
        `INSERT INTO observations (indicator_id, source_id, category, first_seen, last_seen)
         VALUES ($1, $2, 'phishing', now(), now())`,
        [indicator, source],
      );

    test('an observation of a missing indicator or source is refused (23503), in any statement size', async () => {
      assert.equal(await sqlState(insertObs(987654, sourceId)), '23503');
      const other = await ctx.store.query<{ id: number }>(
        `INSERT INTO sources (name, format) VALUES ('other', 'plain-urls') RETURNING id`,
      );
      assert.equal(await sqlState(insertObs(indicatorId, 4242)), '23503');
      // a set of rows with one bad reference among good ones fails as a whole
      assert.equal(
        await sqlState(
          ctx.store.query(
            `INSERT INTO observations (indicator_id, source_id, category, first_seen, last_seen)
             SELECT id, $1::int, 'phishing', now(), now() FROM indicators
             UNION ALL SELECT 987654, $1::int, 'phishing', now(), now()`,
            [other.rows[0].id],
          ),
        ),
        '23503',
      );
      const n = await ctx.store.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM observations WHERE source_id = $1',
        [other.rows[0].id],
      );
      assert.equal(n.rows[0].n, 0);
      // valid references still insert
      assert.equal(await sqlState(insertObs(indicatorId, Number(other.rows[0].id))), undefined);
    });

    test('an observation cannot be moved to another indicator or source', async () => {
      const state = await sqlState(
        ctx.store.query(
          'UPDATE observations SET indicator_id = 987654 WHERE indicator_id = $1 AND source_id = $2',
          [indicatorId, sourceId],
        ),
      );
      assert.equal(state, '23503');
      // the columns an import changes still update
      const r = await ctx.store.query(
        'UPDATE observations SET times_seen = times_seen + 1 WHERE indicator_id = $1 AND source_id = $2',
        [indicatorId, sourceId],
      );
      assert.equal(r.rowCount, 1);
    });

    test('a source with observations cannot be deleted; deleting an indicator deletes its observations', async () => {
      await assert.rejects(deleteSource(ctx, 'urlhaus'), /observations/);
      assert.equal(await sqlState(ctx.store.query('DELETE FROM sources WHERE id = $1', [sourceId])), '23503');
      await ctx.store.query('DELETE FROM indicators WHERE id = $1', [indicatorId]);
      const left = await ctx.store.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM observations WHERE indicator_id = $1',
        [indicatorId],
      );
      assert.equal(left.rows[0].n, 0);
      // a source whose observations are all gone can be deleted
      await ctx.store.query('DELETE FROM indicators');
      await deleteSource(ctx, 'urlhaus');
    });
  });

  // Two connections at once: only the server backend has them (PGlite is one connection).
  if (backend.name === 'postgres') {
    describe("observations' references under concurrency (postgres)", () => {
      let ctx: Awaited<ReturnType<typeof testContext>>;
      let sourceId: number;
      before(async () => {
        ctx = await importedContext(backend);
        const r = await ctx.store.query<{ id: number }>(
          `INSERT INTO sources (name, format) VALUES ('second', 'plain-urls') RETURNING id`,
        );
        sourceId = Number(r.rows[0].id);
      });
      after(() => ctx.dispose());

      const orphans = async () =>
        (
          await ctx.store.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM observations o WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.id = o.indicator_id)',
          )
        ).rows[0].n;
      const firstIndicator = async () =>
        Number((await ctx.store.query<{ id: number }>('SELECT min(id) AS id FROM indicators')).rows[0].id);

      test('an indicator deleted while an observation of it is being inserted leaves no orphan', async () => {
        const id = await firstIndicator();
        let inserted!: () => void;
        const insertedP = new Promise<void>((r) => {
          inserted = r;
        });
        let deleting: Promise<unknown> | undefined;
        await ctx.store.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO observations (indicator_id, source_id, category, first_seen, last_seen)
             VALUES ($1, $2, 'phishing', now(), now())`,
            [id, sourceId],
          );
          inserted();
          // the delete runs on another connection while this transaction is still open
          deleting = ctx.store.query('DELETE FROM indicators WHERE id = $1', [id]);
          await new Promise((r) => setTimeout(r, 100));
        });
        await insertedP;
        await deleting;
        assert.equal(await orphans(), 0);
      });

      test('an observation inserted while its indicator is being deleted is refused', async () => {
        const id = await firstIndicator();
        let inserting: Promise<string | undefined> | undefined;
        await ctx.store.transaction(async (tx) => {
          await tx.query('DELETE FROM indicators WHERE id = $1', [id]);
          inserting = sqlState(
            ctx.store.query(
              `INSERT INTO observations (indicator_id, source_id, category, first_seen, last_seen)
               VALUES ($1, $2, 'phishing', now(), now())`,
              [id, sourceId],
            ),
          );
          await new Promise((r) => setTimeout(r, 100));
        });
        assert.equal(await inserting, '23503');
        assert.equal(await orphans(), 0);
      });
    });
  }

  describe(`derived host listings on ${backend.name}`, () => {
    test("a derived host's observation names its URL; the URL's observation keeps the feed record", async () => {
      const ctx = await testContext(backend);
      try {
        await importFeed(ctx, {
          source: 'urlhaus',
          format: 'urlhaus-csv',
          items: getParser('urlhaus-csv').parse(readLines(join(FIX, 'urlhaus-small.csv'))),
        });
        const host = await getIndicator(ctx.store, 'evil-dedicated.example');
        assert.equal(host.observations.length, 1);
        const raw = host.observations[0].raw as Record<string, unknown>;
        assert.deepEqual(Object.keys(raw), ['derived_from']);
        const url = await getIndicator(ctx.store, String(raw.derived_from));
        const urlRaw = url.observations[0].raw as Record<string, unknown>;
        assert.equal(urlRaw.reference, 'https://urlhaus.abuse.ch/url/1000001/');
        assert.equal(urlRaw.line, 7);
      } finally {
        await ctx.dispose();
      }
    });
  });
}
