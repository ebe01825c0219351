import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, YOJIN_BIN } from '../testing/cli.js';
import { freshDatabaseUrl } from '../testing/stores.js';
import { dig } from './fixtures/dig.js';
import { FakeUpstream } from './fixtures/fake-upstream.js';

test('`yojin serve` has --dns and `yojin dns` documents --listen and a repeatable --upstream', async () => {
  const serve = await runCli(['serve', '--help']);
  assert.match(serve.stdout, /--dns <host:port>/);
  const dns = await runCli(['dns', '--help']);
  assert.match(dns.stdout, /--listen <host:port>/);
  assert.match(dns.stdout, /--upstream <host:port>.*repeatable/);
});

// Against PostgreSQL only: creating a fresh embedded store from the CLI (initdb in WebAssembly) costs tens of
// seconds; CI sets YOJIN_TEST_DATABASE_URL. The resolver itself is tested on both backends in resolver.test.ts.
const noServer = process.env.YOJIN_TEST_DATABASE_URL ? false : 'needs YOJIN_TEST_DATABASE_URL (PostgreSQL)';

test('`yojin dns` runs the resolver alone: answers through the upstream given by --upstream, stops on SIGTERM', {
  skip: noServer,
}, async () => {
  const upstream = new FakeUpstream({
    'cli.example': [{ type: 'A', name: 'cli.example', ttl: 60, data: '192.0.2.77' }],
  });
  const upPort = await upstream.start();
  const dir = mkdtempSync(join(tmpdir(), 'yojin-dns-cli-'));
  const db = await freshDatabaseUrl();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('YOJIN_')) delete env[k];
  if (db) env.YOJIN_DATABASE_URL = db.url;
  const child = spawn(
    process.execPath,
    [YOJIN_BIN, '--data-dir', dir, 'dns', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${upPort}`],
    { env },
  );
  try {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`yojin dns exited (${code}): ${err}`)));
    });
    assert.match(out, /policy serial 0, 0 listings/);
    assert.deepEqual((await dig(port, 'cli.example')).answers, ['192.0.2.77']);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await upstream.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
