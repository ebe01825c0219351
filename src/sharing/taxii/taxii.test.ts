import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/index.js';
import type { AppContext } from '../../app/index.js';
import { testContext } from '../../testing/context.js';
import { testBackends } from '../../testing/stores.js';
import { openHub } from '../hub.js';
import { addCollection, addMember } from '../index.js';
import { TLP_MARKING_IDS } from '../stix/index.js';

const MEDIA = 'application/taxii+json;version=2.1';

function indicator(n: number, modified = '2026-11-01T00:00:00.000Z', extra: Record<string, unknown> = {}) {
  const hex = n.toString(16).padStart(12, '0');
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-${hex}`,
    created: '2026-11-01T00:00:00.000Z',
    modified,
    pattern: `[domain-name:value = 'bad${n}.example']`,
    pattern_type: 'stix',
    valid_from: '2026-11-01T00:00:00.000Z',
    labels: ['phishing'],
    object_marking_refs: [TLP_MARKING_IDS.green],
    ...extra,
  };
}

for (const backend of testBackends()) {
  describe(`TAXII 2.1 server conformance: ${backend.name}`, () => {
    let ctx: AppContext & { dispose(): Promise<void> };
    let app: FastifyInstance;
    let rw: string; // Basic credentials (read+write)
    let ro: string; // Bearer (read only)
    let wo: string; // Basic (write only)
    let colId: string;
    before(async () => {
      ctx = await testContext(backend, { sharing: { page_size: 2, max_page_size: 3 } });
      app = await buildApi(ctx);
      const hub = await openHub(ctx);
      const c = await addCollection(ctx.store, { alias: 'exchange', title: 'Exchange', max_tlp: 'amber' });
      await addCollection(ctx.store, { alias: 'secret', title: 'Not yours' });
      colId = c.id;
      const a = await addMember(hub, 'ISP A', ['exchange'], ['exchange']);
      rw = `Basic ${Buffer.from(`${a.username}:${a.secret}`).toString('base64')}`;
      const b = await addMember(hub, 'ISP B', ['exchange'], []);
      ro = `Bearer ${b.username}.${b.secret}`;
      const w = await addMember(hub, 'Sensor C', [], ['exchange']);
      wo = `Basic ${Buffer.from(`${w.username}:${w.secret}`).toString('base64')}`;
    });
    after(async () => {
      await app.close();
      await ctx.dispose();
    });
    const get = (url: string, auth = rw, accept = MEDIA) =>
      app.inject({ url, headers: { authorization: auth, accept } });
    const post = (url: string, body: unknown, auth = rw, ct = MEDIA) =>
      app.inject({
        method: 'POST',
        url,
        headers: { authorization: auth, accept: MEDIA, 'content-type': ct },
        payload: JSON.stringify(body),
      });
    const objects = () => `/taxii2/hub/collections/${colId}/objects/`;

    test('discovery and API root', async () => {
      const d = await get('/taxii2/');
      assert.equal(d.statusCode, 200);
      assert.match(String(d.headers['content-type']), /^application\/taxii\+json;version=2\.1/);
      assert.match(d.json().api_roots[0], /\/taxii2\/hub\/$/);
      const r = await get('/taxii2/hub/');
      assert.deepEqual(r.json().versions, [MEDIA]);
      assert.ok(r.json().max_content_length > 0);
    });

    test('406 without the TAXII media type; 401 without or with bad credentials', async () => {
      const na = await get('/taxii2/', rw, 'application/json');
      assert.equal(na.statusCode, 406);
      assert.equal(na.json().http_status, '406');
      const noAuth = await app.inject({ url: '/taxii2/', headers: { accept: MEDIA } });
      assert.equal(noAuth.statusCode, 401);
      assert.match(String(noAuth.headers['www-authenticate']), /Basic/);
      assert.equal((await get('/taxii2/', 'Basic dXNlcjpwYXNz')).statusCode, 401);
      assert.equal((await get('/taxii2/', 'Bearer nobody.nothing')).statusCode, 401);
    });

    test('collections lists only what the member may use, with its rights', async () => {
      const r = await get('/taxii2/hub/collections/');
      assert.deepEqual(
        r
          .json()
          .collections.map((c: { alias: string; can_read: boolean; can_write: boolean }) => [
            c.alias,
            c.can_read,
            c.can_write,
          ]),
        [['exchange', true, true]],
      );
      const one = await get(`/taxii2/hub/collections/${colId}/`, ro);
      assert.equal(one.json().can_write, false);
      assert.deepEqual(one.json().media_types, ['application/stix+json;version=2.1']);
      assert.equal((await get('/taxii2/hub/collections/secret/')).statusCode, 404, 'no rights: hidden');
      assert.equal((await get('/taxii2/hub/collections/nope/')).statusCode, 404);
    });

    test('POST → 202 with a status resource; bad objects fail alone; TLP above the maximum is refused', async () => {
      const body = {
        objects: [
          indicator(1),
          indicator(2),
          indicator(3),
          indicator(1, '2026-11-02T00:00:00.000Z'),
          indicator(1, '2026-11-03T00:00:00.000Z'),
          { type: 'indicator', id: 'not-an-id' },
          indicator(9, undefined, { object_marking_refs: [TLP_MARKING_IDS['amber+strict']] }),
          { ...indicator(10), x_yojin_subscriber_id: 'S1' },
        ],
      };
      const r = await post(objects(), body);
      assert.equal(r.statusCode, 202);
      const s = r.json();
      assert.equal(s.status, 'complete');
      assert.equal(s.total_count, 8);
      assert.equal(s.success_count, 5);
      assert.equal(s.failure_count, 3);
      assert.match(
        s.failures.find((f: { id: string }) => f.id.endsWith('000000000009')).message,
        /AMBER\+STRICT.*maximum/,
      );
      assert.match(s.failures.find((f: { id: string }) => f.id.endsWith('00000000000a')).message, /RED/);
      const status = await get(`/taxii2/hub/status/${s.id}/`);
      assert.equal(status.json().success_count, 5);
      assert.equal(
        (await get(`/taxii2/hub/status/${s.id}/`, ro)).statusCode,
        404,
        "another member's status is not visible",
      );
      // idempotent: the same versions again succeed without duplicates
      assert.equal((await post(objects(), { objects: [indicator(2)] })).json().success_count, 1);
    });

    test('415 on a wrong content type; 400 on a non-envelope; 403 when the member may not write/read', async () => {
      assert.equal((await post(objects(), { objects: [] }, rw, 'application/json')).statusCode, 415);
      assert.equal((await post(objects(), { nope: 1 })).statusCode, 400);
      assert.equal((await post(objects(), { objects: [indicator(5)] }, ro)).statusCode, 403);
      assert.equal((await get(objects(), wo)).statusCode, 403);
      assert.equal((await post(objects(), { objects: [indicator(6)] }, wo)).statusCode, 202);
    });

    test('pagination: limit, more, next and the Date-Added headers walk every object once', async () => {
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const r = await get(`${objects()}?limit=2${next ? `&next=${next}` : ''}`);
        assert.equal(r.statusCode, 200);
        const env = r.json();
        for (const o of env.objects ?? []) seen.push(o.id);
        assert.ok(r.headers['x-taxii-date-added-first']);
        assert.ok(r.headers['x-taxii-date-added-last']);
        next = env.more ? env.next : undefined;
        pages++;
      } while (next && pages < 10);
      assert.deepEqual(
        seen.sort(),
        [1, 2, 3, 6].map((n) => indicator(n).id).sort(),
        'latest versions only, each once',
      );
      const capped = await get(`${objects()}?limit=1000`);
      assert.equal(capped.json().objects.length, 3, 'limit is capped at max_page_size');
      assert.equal((await get(`${objects()}?limit=0`)).statusCode, 400);
      assert.equal((await get(`${objects()}?next=garbage`)).statusCode, 400);
    });

    test('filters: match[id], match[type], match[version], match[spec_version], added_after', async () => {
      const id1 = indicator(1).id;
      const byId = await get(`${objects()}?match[id]=${id1}&match[version]=all&limit=3`);
      assert.deepEqual(
        byId.json().objects.map((o: { modified: string }) => o.modified),
        ['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
      );
      assert.equal(
        (await get(`${objects()}?match[id]=${id1}&match[version]=first`)).json().objects[0].modified,
        '2026-11-01T00:00:00.000Z',
      );
      assert.equal(
        (await get(`${objects()}?match[id]=${id1}`)).json().objects[0].modified,
        '2026-11-03T00:00:00.000Z',
      );
      assert.equal(
        (await get(`${objects()}?match[id]=${id1}&match[version]=2026-11-02T00:00:00.000Z`)).json().objects[0]
          .modified,
        '2026-11-02T00:00:00.000Z',
      );
      assert.equal((await get(`${objects()}?match[type]=malware`)).json().objects, undefined);
      assert.equal(
        (await get(`${objects()}?match[type]=indicator,malware&limit=3`)).json().objects.length,
        3,
      );
      assert.equal((await get(`${objects()}?match[spec_version]=2.0`)).json().objects, undefined);
      const future = await get(`${objects()}?added_after=2999-01-01T00:00:00Z`);
      assert.equal(future.statusCode, 200);
      assert.deepEqual(future.json(), { more: false });
      assert.equal((await get(`${objects()}?added_after=yesterday`)).statusCode, 400);
    });

    test('manifest, object by id, versions, delete', async () => {
      const m = await get(`/taxii2/hub/collections/${colId}/manifest/?limit=3`);
      assert.equal(m.json().objects.length, 3);
      assert.equal(m.json().objects[0].media_type, 'application/stix+json;version=2.1');
      assert.ok(m.json().objects[0].date_added);
      const id1 = indicator(1).id;
      const one = await get(`${objects()}${id1}/`);
      assert.equal(one.json().objects.length, 1);
      const v = await get(`${objects()}${id1}/versions/?limit=3`);
      assert.deepEqual(v.json().versions, [
        '2026-11-01T00:00:00.000Z',
        '2026-11-02T00:00:00.000Z',
        '2026-11-03T00:00:00.000Z',
      ]);
      assert.ok(v.headers['x-taxii-date-added-first']);
      assert.equal(
        (
          await app.inject({
            method: 'DELETE',
            url: `${objects()}${id1}/`,
            headers: { authorization: ro, accept: MEDIA },
          })
        ).statusCode,
        403,
      );
      const del = await app.inject({
        method: 'DELETE',
        url: `${objects()}${id1}/?match[version]=2026-11-01T00:00:00.000Z`,
        headers: { authorization: rw, accept: MEDIA },
      });
      assert.equal(del.statusCode, 200);
      assert.equal((await get(`${objects()}${id1}/versions/`)).json().versions.length, 2);
      await app.inject({
        method: 'DELETE',
        url: `${objects()}${id1}/`,
        headers: { authorization: rw, accept: MEDIA },
      });
      assert.equal((await get(`${objects()}${id1}/`)).statusCode, 404);
      assert.equal((await get(`${objects()}${id1}/versions/`)).statusCode, 404);
    });
  });
}
