import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { envTable } from '../config/index.js';
import { runCli, YOJIN_BIN } from '../testing/cli.js';
import { freshDatabaseUrl } from '../testing/stores.js';

function getPage(port: number, host: string, lang: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/index.html', headers: { host, 'accept-language': lang } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('yojin warning --help teaches; serve --warning HOST:PORT starts the warning page', async () => {
  const help = await runCli(['warning', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--listen <host:port>/);
  const serveHelp = await runCli(['serve', '--help']);
  assert.match(serveHelp.stdout, /--warning <host:port>/);

  const dir = mkdtempSync(join(tmpdir(), 'yojin-warning-cli-'));
  // A PostgreSQL database starts much faster than a new embedded store; use one when CI offers it.
  const db = await freshDatabaseUrl();
  const env: NodeJS.ProcessEnv = { ...process.env, YOJIN_LOG_FORMAT: 'json' };
  if (db) env.YOJIN_DATABASE_URL = db.url;
  // Other listeners with fixed default ports are not under test here and could collide.
  const known = envTable();
  for (const k of ['YOJIN_DNS_ENABLED', 'YOJIN_RPZ_ENABLED']) if (known.has(k)) env[k] = 'false';
  const http = 20_000 + Math.floor(Math.random() * 2000);
  const warning = http + 2001;
  const child = spawn(
    process.execPath,
    [
      YOJIN_BIN,
      '--data-dir',
      dir,
      'serve',
      '--http',
      `127.0.0.1:${http}`,
      '--warning',
      `127.0.0.1:${warning}`,
    ],
    { env },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  try {
    const deadline = Date.now() + 120_000;
    let page: { status: number; body: string } | undefined;
    while (Date.now() < deadline && !page) {
      page = await getPage(warning, 'unlisted.example', 'en').catch(() => undefined);
      if (!page) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(page, `warning page never came up; stdout: ${out}\nstderr: ${err.slice(-2000)}`);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /<code>unlisted\.example<\/code>/);
    assert.match(out, new RegExp(`warning +http://127\\.0\\.0\\.1:${warning}`));
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.on('close', r));
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  }
});
