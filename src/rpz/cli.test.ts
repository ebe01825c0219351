import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, YOJIN_BIN } from '../testing/cli.js';
import { freePort } from '../testing/ports.js';

const dig = (args: string[]) =>
  new Promise<string>((resolve) =>
    execFile('dig', args, { timeout: 10_000 }, (_e, out) => resolve(String(out))),
  );

/** Starts the CLI and resolves once stdout shows `ready`. */
async function start(
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; out: () => string }> {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith('YOJIN_')) delete clean[k];
  const child = spawn(process.execPath, [YOJIN_BIN, ...args], { env: { ...clean, ...env } });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready:\n${out}`)), 60_000);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return { child, out: () => out };
}

// One store for the file (the tests run in order): creating an embedded store is the slow part.
const dir = mkdtempSync(join(tmpdir(), 'yojin-rpz-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('yojin rpz export writes a zone BIND accepts (stdout, or --out with --zone)', async () => {
  {
    const r = await runCli(['--data-dir', join(dir, 'data'), 'rpz', 'export']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^; Response Policy Zone published by yojin at change-log serial 0\./);
    assert.match(r.stdout, /^\$ORIGIN rpz\.yojin\.local\.$/m);
    assert.match(r.stderr, /rpz: rpz\.yojin\.local serial 0: 0 owners/);

    const file = join(dir, 'out.zone');
    const r2 = await runCli([
      '--data-dir',
      join(dir, 'data'),
      'rpz',
      'export',
      '--out',
      file,
      '--zone',
      'rpz.example.jp',
    ]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(readFileSync(file, 'utf8'), /^\$ORIGIN rpz\.example\.jp\.$/m);
    const chk = spawnSync('named-checkzone', ['rpz.example.jp', file], { encoding: 'utf8' });
    assert.equal(chk.status, 0, chk.stdout);
  }
});

test('yojin rpz serve answers SOA on --rpz; yojin serve --rpz runs it as a service', async () => {
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const s = await start(
      ['--data-dir', join(dir, 'data'), 'rpz', 'serve', '--rpz', `127.0.0.1:${port}`],
      /RPZ primary/,
    );
    child = s.child;
    assert.match(
      await dig(['@127.0.0.1', '-p', String(port), '+short', 'rpz.yojin.local', 'SOA']),
      /^localhost\. hostmaster\.yojin\.local\. 0 300 60 604800 60/,
    );
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));

    const port2 = await freePort();
    const s2 = await start(
      ['--data-dir', join(dir, 'data'), 'serve', '--http', '127.0.0.1:0', '--rpz', `127.0.0.1:${port2}`],
      /rpz\s+127\.0\.0\.1:\d+/,
      { YOJIN_WARNING_LISTEN: '127.0.0.1:0', YOJIN_DNS_ENABLED: 'false' },
    );
    child = s2.child;
    assert.match(s2.out(), new RegExp(`rpz\\s+127\\.0\\.0\\.1:${port2}\\s+\\(RPZ 0 owners, serial 0`));
    assert.match(
      await dig(['@127.0.0.1', '-p', String(port2), '+short', 'rpz.yojin.local', 'SOA']),
      / 0 300 60 /,
    );
  } finally {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((r) => child?.once('exit', r));
  }
});
