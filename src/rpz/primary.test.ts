import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { SEED, SEED_CONFIG } from './fixtures/seed.js';
import { startRpzPublisher } from './index.js';
import { addIndicator, setStatus, tcpQuery, transferLines, transferQuery } from './testkit.js';

const ZONE = 'rpz.yojin.local';

function udpQuery(
  port: number,
  name: string,
  type: string,
): Promise<dnsPacket.DecodedPacket & { rcode?: string }> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no UDP answer'));
    }, 5000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(dnsPacket.decode(m));
    });
    s.send(
      dnsPacket.encode({ id: 7, type: 'query', questions: [{ name, type: type as 'SOA', class: 'IN' }] }),
      port,
      '127.0.0.1',
    );
  });
}

for (const backend of testBackends()) {
  describe(`rpz primary (${backend.name})`, () => {
    test('AXFR, then IXFR of a change from the change log; unknown serial falls back to a full answer', async () => {
      const ctx = await testContext(backend, { ...SEED_CONFIG, rpz: { ...SEED_CONFIG.rpz, notify: [] } });
      const ids: number[] = [];
      for (const s of SEED) ids.push(await addIndicator(ctx.store, s));
      const pub = await startRpzPublisher(ctx, '127.0.0.1:0');
      try {
        const port = pub.address.port;
        const axfr = transferLines(
          await tcpQuery(port, transferQuery(ZONE, 'AXFR'), { transfer: true }),
          ZONE,
        );
        assert.equal(axfr[0], '@ SOA serial=15');
        assert.equal(axfr[1], '@ NS localhost');
        assert.equal(axfr.at(-1), '@ SOA serial=15');
        assert.equal(axfr.length, 3 + 16); // the 16 records of fixtures/expected.zone
        assert.ok(axfr.includes('phish.example.jp A 192.0.2.80'));
        assert.ok(axfr.includes('both.example.jp CNAME .'));
        assert.ok(axfr.includes('48.zz.abcd.db8.2001.rpz-ip CNAME .'));

        // Up to date: a single SOA.
        assert.deepEqual(
          transferLines(await tcpQuery(port, transferQuery(ZONE, 'IXFR', 15), { transfer: true }), ZONE),
          ['@ SOA serial=15'],
        );

        // A change: phish.example.jp expires, a new C&C appears.
        await setStatus(ctx.store, ids[0], 'expired');
        await addIndicator(ctx.store, { kind: 'domain', value: 'new-cc.example.com', category: 'c2' });
        assert.equal(await pub.refresh(), true);
        assert.equal(pub.state.serial, 17);
        const ixfr = transferLines(
          await tcpQuery(port, transferQuery(ZONE, 'IXFR', 15), { transfer: true }),
          ZONE,
        );
        assert.deepEqual(ixfr.slice(0, 2), ['@ SOA serial=17', '@ SOA serial=15']);
        const del = ixfr.slice(2, ixfr.indexOf('@ SOA serial=17', 2));
        const add = ixfr.slice(ixfr.indexOf('@ SOA serial=17', 2) + 1, -1);
        assert.deepEqual(del.sort(), ['phish.example.jp A 192.0.2.80', 'phish.example.jp AAAA 2001:db8::80']);
        assert.deepEqual(add, ['new-cc.example.com CNAME .']);
        assert.equal(ixfr.at(-1), '@ SOA serial=17');

        // A serial the journal never saw: AXFR-style answer (RFC 1995 §4).
        const full = transferLines(
          await tcpQuery(port, transferQuery(ZONE, 'IXFR', 3), { transfer: true }),
          ZONE,
        );
        assert.deepEqual(full.slice(0, 2), ['@ SOA serial=17', '@ NS localhost']);
        assert.ok(full.includes('new-cc.example.com CNAME .') && !full.some((l) => l.startsWith('phish.')));

        // SOA over UDP (what secondaries poll); names in the zone; names outside are refused.
        const soa = await udpQuery(port, ZONE, 'SOA');
        assert.equal((soa.answers?.[0] as { data: { serial: number } } | undefined)?.data.serial, 17);
        assert.equal(soa.flag_aa, true);
        const hit = await udpQuery(port, `cc.example.net.${ZONE}`, 'A');
        assert.equal((hit.answers?.[0] as { type: string } | undefined)?.type, 'CNAME');
        assert.equal((await udpQuery(port, `unlisted.example.${ZONE}`, 'A')).rcode, 'NXDOMAIN');
        assert.equal((await udpQuery(port, 'example.com', 'A')).rcode, 'REFUSED');
        // Counters (AXFR requests and IXFR requests, whatever form the IXFR answer took), as metrics.
        assert.equal(pub.primary.stats.axfr, 1);
        const metrics = await ctx.metrics.registry.metrics();
        assert.match(metrics, /^yojin_rpz_serial 17$/m);
        assert.match(metrics, /^yojin_rpz_transfers\{kind="ixfr"\} 3$/m);
        const ready = await Promise.all(ctx.readiness.map((r) => r.check()));
        assert.ok(ready.every((r) => r.ok));
      } finally {
        await pub.stop();
        await ctx.dispose();
      }
    });
  });
}

describe('rpz primary access control and TSIG (checked with dig)', () => {
  const secret = Buffer.from('yojin-test-tsig-secret-0123456789abcdef').toString('base64');
  // Asynchronous: the primary answers from this same process.
  const dig = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile('dig', args, { encoding: 'utf8', timeout: 15_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  test('clients outside allow_transfer are refused', async () => {
    const [backend] = testBackends();
    const ctx = await testContext(backend, { rpz: { allow_transfer: ['10.0.0.0/8'] } });
    const pub = await startRpzPublisher(ctx, '127.0.0.1:0');
    try {
      const [m] = await tcpQuery(pub.address.port, transferQuery(ZONE, 'AXFR'), { transfer: true });
      assert.equal((dnsPacket.decode(m) as { rcode?: string }).rcode, 'REFUSED');
      assert.equal(pub.primary.stats.refused, 1);
    } finally {
      await pub.stop();
      await ctx.dispose();
    }
  });

  test('signed AXFR verifies in dig (multi-message TSIG); unsigned and wrongly keyed requests are refused', async () => {
    const [backend] = testBackends();
    const ctx = await testContext(backend, {
      ...SEED_CONFIG,
      rpz: { ...SEED_CONFIG.rpz, tsig_key_name: 'yojin-xfr', tsig_secret: secret },
    });
    ctx.clock.set(new Date()); // TSIG compares real clocks with dig's
    for (const s of SEED) await addIndicator(ctx.store, s);
    // Enough records for several messages, so the TSIG chaining of later messages is exercised.
    await ctx.store.query(
      `INSERT INTO indicators (kind, value, category, scope, first_seen, last_seen)
       SELECT 'domain', 'bulk' || g || '.example.jp', 'phishing', 'host', now(), now() FROM generate_series(1, 3000) g`,
    );
    await ctx.store.query(`INSERT INTO change_log (entity_id, op) VALUES ('0', 'update')`);
    const pub = await startRpzPublisher(ctx, '127.0.0.1:0');
    try {
      const port = String(pub.address.port);
      const ok = await dig(['@127.0.0.1', '-p', port, '-y', `hmac-sha256:yojin-xfr:${secret}`, ZONE, 'AXFR']);
      assert.equal(ok.status, 0, ok.stderr);
      assert.doesNotMatch(ok.stdout, /failed|tsig verify failure|Transfer failed/i);
      assert.match(ok.stdout, /XFR size: 6019 records \(messages [2-9]\d*/);
      assert.match(ok.stdout, /bulk2999\.example\.jp\.rpz\.yojin\.local\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);

      const unsigned = await dig(['@127.0.0.1', '-p', port, ZONE, 'AXFR']);
      assert.match(unsigned.stdout, /Transfer failed/);
      const wrong = await dig([
        '@127.0.0.1',
        '-p',
        port,
        '-y',
        `hmac-sha256:yojin-xfr:${Buffer.from('wrong').toString('base64')}`,
        ZONE,
        'AXFR',
      ]);
      assert.doesNotMatch(wrong.stdout, /bulk2999/);
      assert.ok(pub.primary.stats.tsigFailures >= 1);
      // SOA queries need no key (secondaries' refresh checks may be unsigned).
      const soa = await dig(['@127.0.0.1', '-p', port, '+short', ZONE, 'SOA']);
      assert.match(soa.stdout, /^localhost\. hostmaster\.yojin\.local\. 16 /);
    } finally {
      await pub.stop();
      await ctx.dispose();
    }
  });
});
