import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { SEED, SEED_CONFIG } from './fixtures/seed.js';
import { exportZone, rpzIpOwner } from './index.js';
import { addIndicator } from './testkit.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'expected.zone');

async function collect(fn: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c) => chunks.push(c));
  await fn(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

test('rpz-ip owners: IPv4 octets reversed, IPv6 groups reversed with zz for the longest zero run', () => {
  assert.equal(rpzIpOwner('192.0.2.1/32'), '32.1.2.0.192.rpz-ip');
  assert.equal(rpzIpOwner('198.51.100.77/24'), '24.0.100.51.198.rpz-ip'); // host bits cleared
  assert.equal(rpzIpOwner('2001:db8::1/128'), '128.1.zz.db8.2001.rpz-ip');
  assert.equal(rpzIpOwner('2001:db8:abcd::/48'), '48.zz.abcd.db8.2001.rpz-ip');
  assert.equal(rpzIpOwner('2001:0:0:1::2/128'), '128.2.zz.1.0.0.2001.rpz-ip'); // longest run, not the first
  assert.equal(rpzIpOwner('::ffff:192.0.2.9/128'), '32.9.2.0.192.rpz-ip'); // mapped → IPv4 trigger
  assert.equal(rpzIpOwner('not-an-address/8'), null);
});

for (const backend of testBackends()) {
  describe(`rpz export (${backend.name})`, () => {
    test('writes the golden zone: every action, wildcards, rpz-ip, conflicts resolved; named-checkzone accepts it', async () => {
      const ctx = await testContext(backend, SEED_CONFIG);
      try {
        for (const s of SEED) await addIndicator(ctx.store, s);
        const text = await collect((out) => exportZone(ctx.store, ctx.config, out));
        if (process.env.YOJIN_TEST_UPDATE_FIXTURES) writeFileSync(FIXTURE, text);
        assert.equal(text, readFileSync(FIXTURE, 'utf8'));
        const owners = text
          .split('\n')
          .filter((l) => /^[a-z0-9*]/.test(l))
          .map((l) => `${l.split('\t')[0]} ${l.split('\t')[1]}`);
        assert.equal(new Set(owners).size, owners.length, 'no owner/type twice');
        const dir = mkdtempSync(join(tmpdir(), 'yojin-rpz-'));
        try {
          const file = join(dir, 'rpz.zone');
          writeFileSync(file, text);
          const r = spawnSync('named-checkzone', ['-i', 'local', 'rpz.yojin.local', file], {
            encoding: 'utf8',
          });
          assert.equal(r.status, 0, r.stdout + r.stderr);
          assert.match(r.stdout, /loaded serial 15/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        await ctx.dispose();
      }
    });

    test('--zone changes $ORIGIN; an empty policy is a valid zone at serial 0', async () => {
      const ctx = await testContext(backend, SEED_CONFIG);
      try {
        const text = await collect((out) =>
          exportZone(ctx.store, ctx.config, out, { zone: 'RPZ.Example.JP.' }),
        );
        assert.match(text, /^\$ORIGIN rpz\.example\.jp\.$/m);
        assert.match(text, /SOA\tlocalhost\. hostmaster\.yojin\.local\. \( 0 300 60 604800 60 \)/);
        const dir = mkdtempSync(join(tmpdir(), 'yojin-rpz-'));
        try {
          writeFileSync(join(dir, 'z'), text);
          const r = spawnSync('named-checkzone', ['rpz.example.jp', join(dir, 'z')], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stdout + r.stderr);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        await ctx.dispose();
      }
    });
  });
}
