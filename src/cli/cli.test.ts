import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, YOJIN_BIN } from '../testing/cli.js';
import { freshDatabaseUrl } from '../testing/stores.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'yojin-cli-'));

describe('yojin CLI', () => {
  test('--help lists the commands with descriptions', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['serve', 'migrate', 'config', 'token', 'audit'])
      assert.match(r.stdout, new RegExp(`^  ${c}\\b.*\\S`, 'm'));
  });

  test('config print shows env overrides; a bad config fails with the key named (exit 2)', async () => {
    const ok = await runCli(['config', 'print', '--json'], { env: { YOJIN_HTTP_LISTEN: '127.0.0.1:9999' } });
    assert.equal(ok.code, 0);
    assert.equal(JSON.parse(ok.stdout).http.listen, '127.0.0.1:9999');
    const dir = tmp();
    writeFileSync(join(dir, 'bad.toml'), '[http]\nport = 80\n');
    const bad = await runCli(['--config', join(dir, 'bad.toml'), 'config', 'print']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error \[CONFIG_UNKNOWN_KEY\]: unknown configuration key: http\.port/);
  });

  test('migrate, token create and audit verify share one embedded store in --data-dir', async () => {
    const dir = tmp();
    const m = await runCli(['--data-dir', dir, 'migrate']);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /applied \d+ migration/);
    const t = await runCli(['--data-dir', dir, 'token', 'create', '--role', 'analyst', '--name', 'alice']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout.trim(), /^yjn_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const v = await runCli(['--data-dir', dir, 'audit', 'verify', '--json']);
    assert.equal(v.code, 0);
    assert.deepEqual(JSON.parse(v.stdout), { ok: true, checked: 1 });
    const badRole = await runCli(['--data-dir', dir, 'token', 'create', '--role', 'god', '--name', 'x']);
    assert.equal(badRole.code, 1);
    assert.match(badRole.stderr, /--role must be one of/);
  });

  test('serve brings /healthz up, prints the first admin token, and stops on SIGTERM', async () => {
    const dir = tmp();
    const port = 18_000 + Math.floor(Math.random() * 2000);
    const child = spawn(
      process.execPath,
      [YOJIN_BIN, '--data-dir', dir, 'serve', '--http', `127.0.0.1:${port}`],
      {
        // every other listener on a free port, so parallel tests and a running yojin never collide
        env: {
          ...process.env,
          YOJIN_LOG_FORMAT: 'json',
          YOJIN_DNS_LISTEN: '127.0.0.1:0',
          YOJIN_RPZ_LISTEN: '127.0.0.1:0',
          YOJIN_WARNING_LISTEN: '127.0.0.1:0',
        },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const deadline = Date.now() + 90_000;
      let healthy = false;
      while (Date.now() < deadline && !healthy) {
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(healthy, 'healthz answered');
      const token = /(yjn_\S+)/.exec(out)?.[1];
      assert.ok(token, 'first admin token printed');
      const who = await fetch(`http://127.0.0.1:${port}/api/v1/whoami`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(((await who.json()) as { role: string }).role, 'admin');
      // the embedded store is locked while serve runs
      const locked = await runCli(['--data-dir', dir, 'token', 'list']);
      assert.equal(locked.code, 1);
      assert.match(locked.stderr, /STORE_LOCKED/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((r) => child.on('close', r));
    assert.equal(code, 0);
    const after = await runCli(['--data-dir', dir, 'token', 'list']);
    assert.equal(after.code, 0, 'the lock is released on shutdown');
    assert.match(after.stdout, /first-admin/);
  });

  test('YOJIN_DATABASE_URL makes migrate and audit verify use the PostgreSQL server', async (t) => {
    const db = await freshDatabaseUrl();
    if (!db) return t.skip('YOJIN_TEST_DATABASE_URL not set');
    try {
      const env = { YOJIN_DATABASE_URL: db.url };
      const m = await runCli(['migrate', '--json'], { env });
      assert.equal(m.code, 0, m.stderr);
      assert.equal(JSON.parse(m.stdout).store, 'postgres');
      const again = await runCli(['migrate', '--json'], { env });
      assert.deepEqual(JSON.parse(again.stdout).applied, []);
      const tok = await runCli(['token', 'create', '--role', 'auditor', '--name', 'pg'], { env });
      assert.equal(tok.code, 0);
      const v = await runCli(['audit', 'verify'], { env });
      assert.match(v.stdout, /audit chain intact: 1 records/);
    } finally {
      await db.drop();
    }
  });

  test('an unreachable PostgreSQL server gives STORE_UNAVAILABLE, not a stack trace', async () => {
    const r = await runCli(['migrate'], {
      env: { YOJIN_DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' },
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /error \[STORE_UNAVAILABLE\]: cannot connect to PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/,
    );
  });
});
