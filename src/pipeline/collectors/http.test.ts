import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { testContext } from '../../testing/context.js';
import { testBackends } from '../../testing/stores.js';
import { type FeedIngest, type ParseItem, pullFeed, readPullHealth } from '../index.js';

const FEED = [
  '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter',
  '"1","2026-01-27 17:53:08","http://a.example/x.exe","online","","malware_download","exe","https://urlhaus.abuse.ch/url/1/","r"',
  '"2","2026-01-27 17:53:08","http://b.example/y.exe","online"',
  '"3","2026-01-27 17:53:08","http://c.example/z.exe","online","","malware_download","exe","https://urlhaus.abuse.ch/url/3/","r"',
].join('\n');

/** A feed server on loopback whose behaviour each test sets. */
let server: Server;
let base: string;
let mode: 'ok' | 'error' = 'ok';
let etag = '"v1"';
const seen: Array<{ path: string; ifNoneMatch?: string; ifModifiedSince?: string }> = [];

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({
      path: req.url ?? '',
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    });
    if (req.url === '/plain') {
      res.writeHead(200).end('http://plain.example/a\n');
      return;
    }
    if (req.url === '/moved') {
      res.writeHead(301, { location: '/feed' }).end();
      return;
    }
    if (mode === 'error') {
      res.writeHead(500).end('oops');
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/csv',
      'content-encoding': 'gzip',
      etag,
      'last-modified': 'Tue, 27 Jan 2026 17:53:08 GMT',
    });
    res.end(gzipSync(FEED));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function collecting(): { ingest: FeedIngest; items: ParseItem[]; calls: number } {
  const state = {
    items: [] as ParseItem[],
    calls: 0,
    ingest: (async (_src, items) => {
      state.calls++;
      for await (const i of items) state.items.push(i);
      return 'done';
    }) as FeedIngest,
  };
  return state;
}

for (const backend of testBackends()) {
  // One store per backend for both scenarios (creating one is the slow part); sources differ by name.
  test(`pullFeed [${backend.name}]`, async (t) => {
    const ctx = await testContext(backend);
    try {
      await t.test('conditional GET, backoff on failure, health recorded', async () => {
        mode = 'ok';
        etag = '"v1"';
        seen.length = 0;
        const feed = { name: 'urlhaus', url: `${base}/feed`, format: 'urlhaus-csv' };

        // 1. First pull: gzip body streamed through the parser into the sink.
        const sink = collecting();
        const first = await pullFeed(ctx, feed, sink.ingest);
        assert.equal(first.result, 'updated');
        assert.equal(first.status, 200);
        assert.equal(first.ingested, 'done');
        assert.equal(first.records, 2);
        assert.equal(first.rejected, 1);
        assert.ok(first.bytes > 0);
        assert.deepEqual(
          sink.items.map((i) => ('reason' in i ? `reject ${i.line}` : i.value)),
          ['http://a.example/x.exe', 'reject 3', 'http://c.example/z.exe'],
        );
        let health = await readPullHealth(ctx.store, 'urlhaus');
        assert.equal(health?.etag, '"v1"');
        assert.equal(health?.last_modified, 'Tue, 27 Jan 2026 17:53:08 GMT');
        assert.equal(health?.last_result, 'updated');
        assert.equal(health?.records, 2);
        assert.equal(health?.rejected, 1);
        assert.equal(health?.failures, 0);
        assert.equal(health?.last_success_at, '2026-11-01T00:00:00.000Z');
        const src = await ctx.store.query<{ format: string; url: string }>(
          "SELECT format, url FROM sources WHERE name = 'urlhaus'",
        );
        assert.deepEqual(src.rows[0], { format: 'urlhaus-csv', url: `${base}/feed` });

        // 2. Unchanged: the validators go back, the server answers 304, the sink is not called.
        const again = collecting();
        ctx.clock.advance(3600_000);
        const second = await pullFeed(ctx, feed, again.ingest);
        assert.equal(second.result, 'not-modified');
        assert.equal(second.status, 304);
        assert.equal(again.calls, 0);
        assert.equal(seen.at(-1)?.ifNoneMatch, '"v1"');
        assert.equal(seen.at(-1)?.ifModifiedSince, 'Tue, 27 Jan 2026 17:53:08 GMT');

        // 3. Failures back off exponentially; inside the window no request is made.
        mode = 'error';
        const failed = await pullFeed(ctx, feed, collecting().ingest, { backoffBaseMs: 60_000 });
        assert.equal(failed.result, 'failed');
        assert.equal(failed.status, 500);
        assert.equal(failed.error, 'HTTP 500');
        health = await readPullHealth(ctx.store, 'urlhaus');
        assert.equal(health?.failures, 1);
        assert.equal(health?.next_attempt_at, new Date(ctx.clock.now().getTime() + 60_000).toISOString());
        assert.equal(health?.etag, '"v1"', 'validators survive a failure');
        const hits = seen.length;
        ctx.clock.advance(30_000);
        const skipped = await pullFeed(ctx, feed, collecting().ingest, { backoffBaseMs: 60_000 });
        assert.equal(skipped.result, 'backoff');
        assert.equal(seen.length, hits, 'no request while backing off');
        ctx.clock.advance(31_000);
        await pullFeed(ctx, feed, collecting().ingest, { backoffBaseMs: 60_000 });
        health = await readPullHealth(ctx.store, 'urlhaus');
        assert.equal(health?.failures, 2);
        assert.equal(health?.next_attempt_at, new Date(ctx.clock.now().getTime() + 120_000).toISOString());
        assert.equal(health?.last_status, 500);

        // 4. Recovery: a new version, fetched through a redirect; failures reset.
        mode = 'ok';
        etag = '"v2"';
        ctx.clock.advance(121_000);
        const sink2 = collecting();
        const recovered = await pullFeed(ctx, { ...feed, url: `${base}/moved` }, sink2.ingest);
        assert.equal(recovered.result, 'updated');
        assert.equal(sink2.items.length, 3);
        health = await readPullHealth(ctx.store, 'urlhaus');
        assert.equal(health?.failures, 0);
        assert.equal(health?.next_attempt_at, null);
        assert.equal(health?.last_error, null);
        assert.equal(health?.etag, '"v2"');
      });

      await t.test('a sink that throws fails the pull and keeps the old validators', async () => {
        mode = 'ok';
        etag = '"v3"';
        const feed = { name: 'flaky-sink', url: `${base}/feed`, format: 'urlhaus-csv' };
        const r = await pullFeed(ctx, feed, async (_s, items) => {
          for await (const _ of items) throw new Error('store full');
        });
        assert.equal(r.result, 'failed');
        assert.equal(r.error, 'store full');
        const health = await readPullHealth(ctx.store, 'flaky-sink');
        assert.equal(health?.etag, undefined, 'an ETag of a body never ingested is not remembered');
        assert.equal(health?.failures, 1);

        // A body over the size limit fails the pull rather than filling memory or the store.
        const big = await pullFeed(
          ctx,
          { name: 'big', url: `${base}/feed`, format: 'urlhaus-csv' },
          collecting().ingest,
          {
            maxBytes: 16,
          },
        );
        assert.equal(big.result, 'failed');
        assert.match(big.error ?? '', /body larger than 16 bytes/);

        // A source's configured category fills in for formats that state none.
        const plain = collecting();
        await pullFeed(
          ctx,
          { name: 'mine', url: `${base}/plain`, format: 'plain-urls', category: 'malware-distribution' },
          plain.ingest,
        );
        assert.deepEqual(
          plain.items.map((i) => ('reason' in i ? i.reason : i.category)),
          ['malware-distribution'],
        );

        // Nothing listening: a network error is a failure with no status, not an exception.
        const closed = createServer();
        await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((res) => closed.close(() => res()));
        const down = await pullFeed(
          ctx,
          { name: 'down', url: `http://127.0.0.1:${port}/`, format: 'plain-urls' },
          collecting().ingest,
        );
        assert.equal(down.result, 'failed');
        assert.equal(down.status, undefined);
        assert.match(down.error ?? '', /ECONNREFUSED|connect/i);
      });
    } finally {
      await ctx.dispose();
    }
  });
}
