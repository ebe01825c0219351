import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { AppContext } from '../app/index.js';
import { validateConfig } from '../config/index.js';
import { isYojinError } from '../errors/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { feedsService, readPullHealth } from './index.js';

test('[feeds] config: sources get defaults; an unknown format is refused at start', () => {
  const c = validateConfig({
    feeds: { sources: [{ name: 'op', url: 'https://example.org/feed.txt', format: 'openphish-txt' }] },
  });
  assert.deepEqual(c.feeds.sources[0], {
    name: 'op',
    url: 'https://example.org/feed.txt',
    format: 'openphish-txt',
    schedule: '17 * * * *',
    reliability: 0.5,
    enabled: true,
  });
  assert.throws(
    () => validateConfig({ feeds: { sources: [{ name: 'x', url: 'https://e.org/', format: 'csv' }] } }),
    (e) => isYojinError(e, 'CONFIG_INVALID_VALUE'),
  );
});

test('feeds service: nothing configured means no service', () => {
  // The factory only reads the config when there is nothing to schedule.
  const ctx = { config: validateConfig({}) } as AppContext;
  assert.equal(feedsService()(ctx), null);
});

test('feeds service: a configured feed never pulled is pulled at start into the sink; the row follows the config', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { etag: '"a"' }).end('https://phish.example/login\nhttps://phish2.example/\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.txt`;
  const [backend] = testBackends();
  const ctx = await testContext(backend, {
    feeds: {
      sources: [
        // A schedule that will not fire during the test: only the start-up pull runs.
        { name: 'openphish', url, format: 'openphish-txt', schedule: '0 0 1 1 *', reliability: 0.7 },
        { name: 'off', url, format: 'openphish-txt', enabled: false },
      ],
    },
  });
  const received: string[] = [];
  let done!: () => void;
  const ingested = new Promise<void>((r) => {
    done = r;
  });
  const service = feedsService(() => async (source, items) => {
    for await (const i of items) if (!('reason' in i)) received.push(`${source.name} ${i.value}`);
    done();
  })(ctx);
  assert.ok(service);
  try {
    const banner = await service.start();
    assert.match(banner ?? '', /1 feed\(s\) scheduled: openphish/);
    await ingested;
    await service.stop(); // waits for the pull in flight, so health is written
    assert.deepEqual(received, [
      'openphish https://phish.example/login',
      'openphish https://phish2.example/',
    ]);
    const health = await readPullHealth(ctx.store, 'openphish');
    assert.equal(health?.etag, '"a"');
    const row = await ctx.store.query<{ reliability: number; schedule: string }>(
      "SELECT reliability, schedule FROM sources WHERE name = 'openphish'",
    );
    assert.ok(Math.abs(row.rows[0].reliability - 0.7) < 1e-6);
    assert.equal(row.rows[0].schedule, '0 0 1 1 *');
    assert.equal(await readPullHealth(ctx.store, 'off'), undefined, 'disabled feeds are not touched');
    const metrics = await ctx.metrics.registry.getSingleMetricAsString('yojin_feed_pulls_total');
    assert.match(metrics, /source="openphish",result="updated"} 1/);
  } finally {
    await service.stop();
    await ctx.dispose();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
