import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testContext } from '../testing/context.js';
import { freePort } from '../testing/ports.js';
import { testBackends } from '../testing/stores.js';
import { SEED, SEED_CONFIG } from './fixtures/seed.js';
import { startRpzPublisher } from './index.js';
import { addIndicator } from './testkit.js';

const ZONE = 'rpz.yojin.local';

function dig(args: string[]): Promise<string> {
  return new Promise((resolve) =>
    execFile('dig', args, { timeout: 10_000 }, (_e, out) => resolve(String(out))),
  );
}

async function until(what: string, cond: () => boolean | Promise<boolean>, log: () => string) {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; named said:\n${log()}`);
}

test('BIND named as a TSIG secondary: AXFR, then NOTIFY and IXFR after a change', async () => {
  const [backend] = testBackends();
  const secret = Buffer.from('bind-interop-secret-for-yojin-rpz-test').toString('base64');
  const namedPort = await freePort();
  const ctx = await testContext(backend, {
    ...SEED_CONFIG,
    rpz: {
      ...SEED_CONFIG.rpz,
      tsig_key_name: 'yojin-xfr',
      tsig_secret: secret,
      notify: [`127.0.0.1:${namedPort}`],
      notify_retry_ms: 500,
      poll_ms: 60_000,
    },
  });
  ctx.clock.set(new Date()); // TSIG: named checks our clock against its own
  for (const s of SEED) await addIndicator(ctx.store, s);
  const pub = await startRpzPublisher(ctx, '127.0.0.1:0');
  const dir = mkdtempSync(join(tmpdir(), 'yojin-named-'));
  let named: ChildProcess | undefined;
  let log = '';
  try {
    writeFileSync(
      join(dir, 'named.conf'),
      `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port ${namedPort} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  session-keyfile "${dir}/session.key";
};
controls { };
key "yojin-xfr" { algorithm hmac-sha256; secret "${secret}"; };
zone "${ZONE}" {
  type secondary;
  primaries { 127.0.0.1 port ${pub.address.port} key "yojin-xfr"; };
  file "${dir}/rpz.db";
  allow-notify { 127.0.0.1; };
  request-ixfr yes;
};
`,
    );
    named = spawn('named', ['-g', '-c', join(dir, 'named.conf'), '-n', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    named.stdout?.on('data', (d) => (log += d));
    named.stderr?.on('data', (d) => (log += d));
    const soa = async () =>
      (await dig(['@127.0.0.1', '-p', String(namedPort), '+short', ZONE, 'SOA'])).trim();

    // Initial AXFR at serial 15.
    await until(
      'the first transfer',
      async () => / 15 /.test(await soa()),
      () => log,
    );
    assert.match(log, /Transfer status: success/);
    assert.match(log, /transferred serial 15/);
    const cc = await dig([
      '@127.0.0.1',
      '-p',
      String(namedPort),
      '+short',
      `cc.example.net.${ZONE}`,
      'CNAME',
    ]);
    assert.equal(cc.trim(), '.');

    // A change: a new C&C. NOTIFY makes named ask at once, and it asks for (and gets) an IXFR.
    const before = log.length;
    await addIndicator(ctx.store, { kind: 'domain', value: 'fresh-cc.example.com', category: 'c2' });
    assert.equal(await pub.refresh(), true);
    await until(
      'the incremental transfer',
      async () => / 16 /.test(await soa()),
      () => log,
    );
    const after = log.slice(before);
    assert.match(after, /notify from 127\.0\.0\.1#\d+: serial 16/);
    // 5 records = SOA 16, SOA 15, SOA 16, the new CNAME, SOA 16: an IXFR (an AXFR would be 20),
    // which named applies through its journal (it writes none for a full transfer).
    assert.match(after, /Transfer completed: 1 messages, 5 records/);
    await until(
      'the journal',
      () => existsSync(join(dir, 'rpz.db.jnl')),
      () => log,
    );
    assert.ok(pub.primary.stats.ixfr >= 1);
    const fresh = await dig([
      '@127.0.0.1',
      '-p',
      String(namedPort),
      '+short',
      `fresh-cc.example.com.${ZONE}`,
      'CNAME',
    ]);
    assert.equal(fresh.trim(), '.');
    assert.equal(pub.primary.stats.tsigFailures, 0);
  } finally {
    named?.kill('SIGKILL');
    await pub.stop();
    await ctx.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
