// CLI tests spawn bin/yojin.js (dist/): build first (`npm test` does; alone: npx tsc -p tsconfig.build.json).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../testing/cli.js';
import { freshDatabaseUrl } from '../testing/stores.js';

const FEODO = readFileSync(new URL('./parsers/feodo-csv/fixture.csv', import.meta.url));

test('yojin feeds pull / list: a configured feed is imported, then answered 304, with health shown', async () => {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.headers['if-none-match'] === '"f1"') return void res.writeHead(304).end();
    res.writeHead(200, { etag: '"f1"' }).end(FEODO);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'yojin-feeds-cli-'));
  const config = join(dir, 'yojin.toml');
  // A PostgreSQL server when the test run has one (each spawn then skips opening embedded PGlite).
  const db = await freshDatabaseUrl();
  writeFileSync(
    config,
    `data_dir = ${JSON.stringify(join(dir, 'data'))}\n` +
      (db ? `[database]\nurl = ${JSON.stringify(db.url)}\n` : '') +
      `\n[[feeds.sources]]\nname = "feodo"\n` +
      `url = "http://127.0.0.1:${(server.address() as AddressInfo).port}/ipblocklist.csv"\nformat = "feodo-csv"\n`,
  );
  try {
    const first = await runCli(['--config', config, 'feeds', 'pull']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^feodo: updated: 3 records, 1 rejected/m);

    const second = await runCli(['--config', config, 'feeds', 'pull', 'feodo', '--json']);
    assert.equal(second.code, 0, second.stderr);
    const [r] = JSON.parse(second.stdout);
    assert.equal(r.result, 'not-modified');
    assert.equal(hits, 2);

    const list = await runCli(['--config', config, 'feeds', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^feodo {2}feodo-csv {2}17 \* \* \* \*/m);
    assert.match(list.stdout, /not-modified at .*, last body 3 records \/ 1 rejected/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
