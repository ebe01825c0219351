import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import type { AppContext } from '../app/index.js';
import { getParser, linesOf } from '../pipeline/index.js';
import { check, importFeed } from '../reputation/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import {
  addCollection,
  addMember,
  addPartner,
  exportCollection,
  listPartners,
  openHub,
  publishIndicators,
  syncAll,
} from './index.js';

const [backend] = testBackends();

async function importPlain(ctx: AppContext, source: string, format: string, text: string) {
  return importFeed(ctx, { source, format, items: getParser(format).parse(linesOf(text)) });
}

/**
 * Two yojin instances share through TAXII: A publishes its indicators into a collection, B polls it as a
 * partner with its own reliability for A, and nothing subscriber-identifying leaves A.
 */
describe('federation: hub A → TAXII → hub B', () => {
  let a: Awaited<ReturnType<typeof testContext>>;
  let b: Awaited<ReturnType<typeof testContext>>;
  let apiA: FastifyInstance;
  let urlA: string;
  let colId: string;
  before(async () => {
    a = await testContext(backend, {
      sharing: { organisation: 'ISAC A', subscriber_patterns: ['sub-\\d{6}'] },
    });
    b = await testContext(backend, { sharing: { organisation: 'ISP B' } });
    apiA = await buildApi(a);
    urlA = await apiA.listen({ host: '127.0.0.1', port: 0 });
    const col = await addCollection(a.store, {
      alias: 'indicators',
      max_tlp: 'green',
      content: 'indicators',
    });
    colId = col.id;
    const member = await addMember(await openHub(a), 'ISP B', ['indicators'], []);
    await addPartner(await openHub(b), {
      name: 'isac-a',
      api_root: `${urlA}/taxii2/hub/`,
      collection_id: colId,
      direction: 'pull',
      username: member.username,
      password: member.secret,
      reliability: 0.3,
      local_collection: null,
    });
    await importPlain(a, 'a-feed', 'plain-domains', 'shared-evil.example\nsecond-evil.example\n');
    // a URL carrying a subscriber identifier must never be shared
    await importPlain(a, 'a-feed', 'plain-urls', 'http://tracker.example/landing?u=sub-123456\n');
  });
  after(async () => {
    await apiA.close();
    await a.dispose();
    await b.dispose();
  });

  test("B's poll brings A's indicators in as observations of A's source, with B's reliability for A", async () => {
    await publishIndicators(await openHub(a));
    const r = await syncAll(await openHub(b));
    assert.equal(r.pulls.length, 1);
    assert.ok(r.pulls[0].objects > 0);
    const v = await check(b, 'shared-evil.example');
    assert.equal(v.listed, true);
    const ind = v.matches[0].indicator;
    assert.deepEqual(ind.sources, ['taxii:isac-a']);
    const src = await b.store.query<{ reliability: number; kind: string }>(
      `SELECT reliability, kind FROM sources WHERE name = 'taxii:isac-a'`,
    );
    assert.equal(src.rows[0].kind, 'partner');
    assert.ok(Math.abs(src.rows[0].reliability - 0.3) < 1e-6);
    assert.ok(
      ind.confidence <= 0.3 + 1e-6,
      `confidence ${ind.confidence} is bounded by the partner's reliability`,
    );
  });

  test('nothing RED or subscriber-identifying leaves A', async () => {
    const exported = JSON.stringify(await exportCollection(await openHub(a), 'indicators'));
    assert.doesNotMatch(exported, /sub-123456/);
    assert.match(exported, /shared-evil\.example/);
    const tlps = new Set(
      (JSON.parse(exported).objects as Array<{ type: string; object_marking_refs?: string[] }>)
        .filter((o) => o.type !== 'marking-definition')
        .flatMap((o) => o.object_marking_refs ?? []),
    );
    assert.deepEqual(
      [...tlps],
      ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
      'only TLP:GREEN',
    );
    const leaked = await b.store.query(`SELECT value FROM indicators WHERE value LIKE '%sub-123456%'`);
    assert.equal(leaked.rows.length, 0);
    const audit = await a.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'taxii.pull'`,
    );
    assert.equal(audit.rows[0].n, 0, 'pulls are audited on the puller (B), not A');
    const bAudit = await b.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'taxii.pull'`,
    );
    assert.equal(bAudit.rows[0].n, 1);
  });

  test('the bookmark makes the next poll fetch only what is new', async () => {
    const before = (await listPartners(await openHub(b)))[0].bookmark;
    assert.ok(before);
    const again = await syncAll(await openHub(b));
    assert.equal(again.pulls[0].objects, 0);
    a.clock.advance(60_000);
    await importPlain(a, 'a-feed', 'plain-domains', 'third-evil.example\n');
    await publishIndicators(await openHub(a));
    const more = await syncAll(await openHub(b));
    assert.ok(more.pulls[0].objects >= 1 && more.pulls[0].objects < 5, `got ${more.pulls[0].objects}`);
    assert.equal((await check(b, 'third-evil.example')).listed, true);
  });
});
