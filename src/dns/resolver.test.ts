import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { AppContext } from '../app/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { putInWalledGarden } from '../testing/walled-garden.js';
import { BypassTable, bypasses, recordBypass } from '../warning/index.js';
import { dig } from './fixtures/dig.js';
import { blackhole, FakeUpstream } from './fixtures/fake-upstream.js';
import { DnsResolver } from './index.js';

const run = promisify(execFile);

/** One UDP query from this process (for load during swaps and raw-packet tests). */
function udpQuery(port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve(null);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m);
    });
    s.send(msg, port, '127.0.0.1');
  });
}

/** A recursive A query for `name` with message id `id`, as a stub resolver sends it. */
function aQuery(name: string, id: number): Buffer {
  return dnsPacket.encode({
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: 'A' }],
  } as Packet);
}

const RECORDS = {
  'ok.example': [{ type: 'A', name: 'ok.example', ttl: 300, data: '192.0.2.10' }],
  'listed.example': [{ type: 'A', name: 'listed.example', ttl: 300, data: '192.0.2.20' }],
  'www.wild.example': [{ type: 'A', name: 'www.wild.example', ttl: 300, data: '192.0.2.30' }],
  'c2-answer.example': [{ type: 'A', name: 'c2-answer.example', ttl: 300, data: '203.0.113.66' }],
  'alias.example': [
    { type: 'CNAME', name: 'alias.example', ttl: 300, data: 'bad-target.example' },
    { type: 'A', name: 'bad-target.example', ttl: 300, data: '192.0.2.40' },
  ],
  'later.example': [{ type: 'A', name: 'later.example', ttl: 300, data: '192.0.2.50' }],
  'again.example': [{ type: 'A', name: 'again.example', ttl: 300, data: '192.0.2.60' }],
  'help.example': [{ type: 'A', name: 'help.example', ttl: 300, data: '192.0.2.70' }],
  'www.help.example': [{ type: 'A', name: 'www.help.example', ttl: 300, data: '192.0.2.71' }],
  'big.example': Array.from({ length: 40 }, (_, i) => ({
    type: 'TXT',
    name: 'big.example',
    ttl: 300,
    data: `record number ${i} padded to make the answer larger than 512 bytes`,
  })),
} as unknown as Record<string, Answer[]>;

async function addIndicator(ctx: AppContext, kind: string, value: string, category: string, scope: string) {
  const r = await ctx.store.query<{ id: string }>(
    `INSERT INTO indicators (kind, value, category, scope, first_seen, last_seen) VALUES ($1, $2, $3, $4, now(), now()) RETURNING id`,
    [kind, value, category, scope],
  );
  await ctx.store.query(`INSERT INTO change_log (entity, entity_id, op) VALUES ('indicator', $1, 'add')`, [
    r.rows[0].id,
  ]);
  return Number(r.rows[0].id);
}

for (const backend of testBackends()) {
  describe(`policy DNS resolver with dig (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let upstream: FakeUpstream;
    let dead: { port: number; close(): void };
    let resolver: DnsResolver;
    let port: number;

    before(async () => {
      upstream = new FakeUpstream(RECORDS);
      const up = await upstream.start();
      dead = await blackhole();
      ctx = await testContext(backend, {
        dns: {
          listen: '127.0.0.1:0',
          upstreams: [`127.0.0.1:${dead.port}`, `127.0.0.1:${up}`],
          upstream_timeout_ms: 250,
          refresh_interval_s: 3600, // the tests call refresh() themselves
          edns_contact: 'mailto:abuse@isp.example',
          edns_organisation: 'Example ISP',
          warning_url: 'http://warn.isp.example/',
          walled_garden_exempt: ['help.example'],
        },
        measures: { 'walled-garden': { enabled: true } },
      });
      await addIndicator(ctx, 'domain', 'listed.example', 'phishing', 'host');
      await addIndicator(ctx, 'domain', 'wild.example', 'malware-distribution', 'domain');
      await addIndicator(ctx, 'ip', '203.0.113.66', 'c2', 'address');
      await addIndicator(ctx, 'domain', 'bad-target.example', 'malware-distribution', 'host');
      await addIndicator(ctx, 'url', 'http://ok.example/evil', 'phishing', 'url');
      // (the test clock is 2026-11-01) 127.0.0.2 belongs to a subscriber who opted out of warnings; 127.0.0.3 to one who did not choose.
      await ctx.store.query(`INSERT INTO subscribers (id) VALUES ('sub-out'), ('sub-default')`);
      await ctx.store.query(
        `INSERT INTO assignments (subscriber_id, prefix, during, kind) VALUES
           ('sub-out', '127.0.0.2/32', tstzrange('2026-10-01', '2026-12-01'), 'static'),
           ('sub-default', '127.0.0.3/32', tstzrange('2026-10-01', '2026-12-01'), 'static')`,
      );
      await ctx.store.query(
        `INSERT INTO consents (subscriber_id, measure, granted) VALUES ('sub-out', 'warn-malicious-site', false), ('sub-out', 'block-c2', false)`,
      );
      resolver = new DnsResolver(ctx);
      port = (await resolver.start()).port;
    });

    after(async () => {
      await resolver?.stop();
      await upstream?.stop();
      dead?.close();
      await ctx?.dispose();
    });

    test('a listed name gets the warning address with an EDE that says why', async () => {
      const r = await dig(port, 'listed.example');
      assert.equal(r.status, 'NOERROR');
      assert.deepEqual(r.answers, ['127.0.0.1']);
      assert.match(
        r.ede ?? '',
        /^15 \(Blocked\).*listed\.example is listed as a dangerous site \(phishing\).*see http:\/\/warn\.isp\.example\//,
      );
      const six = await dig(port, 'listed.example', 'AAAA');
      assert.deepEqual(six.answers, ['::1']);
    });

    test('a wildcard (domain-scope) listing catches a subdomain; an unlisted name resolves upstream', async () => {
      const sub = await dig(port, 'www.wild.example');
      assert.deepEqual(sub.answers, ['127.0.0.1']);
      assert.match(sub.ede ?? '', /under wild\.example/);
      const ok = await dig(port, 'ok.example');
      assert.equal(ok.status, 'NOERROR');
      assert.deepEqual(ok.answers, ['192.0.2.10']);
      assert.equal(ok.ede, undefined);
      const nx = await dig(port, 'missing.example');
      assert.equal(nx.status, 'NXDOMAIN');
    });

    test('the upstream that does not answer is failed over; later answers come from the cache', async () => {
      const before = upstream.queries;
      const hits = async () =>
        Number(
          /yojin_dns_cache_hits_total (\d+)/.exec(
            await ctx.metrics.registry.getSingleMetricAsString('yojin_dns_cache_hits_total'),
          )?.[1],
        );
      const hitsBefore = await hits();
      const r = await dig(port, 'ok.example');
      assert.deepEqual(r.answers, ['192.0.2.10']);
      assert.equal(upstream.queries, before, 'served from the cache');
      assert.equal(await hits(), hitsBefore + 1, 'counted as a cache hit');
      const metrics = await ctx.metrics.registry.getSingleMetricAsString('yojin_dns_upstream_errors_total');
      assert.match(metrics, /reason="timeout"/);
    });

    test('an opted-out subscriber gets the real answer; a subscriber with the default (opt-out model) is warned', async () => {
      const out = await dig(port, 'listed.example', 'A', ['-b', '127.0.0.2']);
      assert.deepEqual(out.answers, ['192.0.2.20']);
      assert.equal(out.ede, undefined);
      const dflt = await dig(port, 'listed.example', 'A', ['-b', '127.0.0.3']);
      assert.deepEqual(dflt.answers, ['127.0.0.1']);
      assert.match(dflt.ede ?? '', /^17 \(Filtered\)/);
      const c2Out = await dig(port, 'c2-answer.example', 'A', ['-b', '127.0.0.2']);
      assert.deepEqual(c2Out.answers, ['203.0.113.66']);
    });

    test('after "continue anyway" on the warning page, that client gets the real answer for that name only', async () => {
      // the bypass table is process-wide: a client address of its own per backend keeps the suites apart
      const client = backend.name === 'pglite' ? '127.0.0.9' : '127.0.0.10';
      // as the warning page records it: in the store (for resolvers in other processes) and in memory
      const until = new Date(Date.now() + 10 * 60_000);
      await recordBypass(ctx.store, client, 'listed.example', until, new Date());
      bypasses.grant(client, 'listed.example', until);
      const granted = await dig(port, 'listed.example', 'A', ['-b', client]);
      assert.deepEqual(granted.answers, ['192.0.2.20']);
      const other = await dig(port, 'listed.example', 'A', ['-b', '127.0.0.4']);
      assert.deepEqual(other.answers, ['127.0.0.1'], 'another client is still warned');
      const otherName = await dig(port, 'www.wild.example', 'A', ['-b', client]);
      assert.deepEqual(otherName.answers, ['127.0.0.1'], 'another name is still warned');
      // a resolver in another process learns the grant from the store
      const elsewhere = new BypassTable();
      assert.equal(elsewhere.isBypassed(client, 'listed.example'), false);
      await elsewhere.load(ctx.store);
      assert.equal(elsewhere.isBypassed(client, 'listed.example.'), true);
    });

    test('warnings shown and C&C blocks reach the daily report figures (batched, not per query)', async () => {
      await resolver.flushActivity();
      const before = await ctx.store.query<{ metric: string; n: number }>(
        `SELECT metric, sum(value)::int AS n FROM activity_daily GROUP BY metric`,
      );
      const get = (rows: Array<{ metric: string; n: number }>, m: string) =>
        rows.find((r) => r.metric === m)?.n ?? 0;
      await dig(port, 'listed.example', 'A', ['-b', '127.0.0.3']);
      await dig(port, 'listed.example', 'A', ['-b', '127.0.0.3']);
      await dig(port, 'c2-answer.example', 'A', ['-b', '127.0.0.3']);
      await dig(port, 'listed.example', 'A', ['-b', '127.0.0.2']); // opted out: not warned, not counted
      await resolver.flushActivity();
      const after = await ctx.store.query<{ metric: string; n: number }>(
        `SELECT metric, sum(value)::int AS n FROM activity_daily GROUP BY metric`,
      );
      assert.equal(get(after.rows, 'warnings-shown') - get(before.rows, 'warnings-shown'), 2);
      assert.equal(get(after.rows, 'c2-blocked') - get(before.rows, 'c2-blocked'), 1);
    });

    test('a listed C&C address in an upstream answer is blocked (NXDOMAIN); a listed CNAME target is warned', async () => {
      const c2 = await dig(port, 'c2-answer.example');
      assert.equal(c2.status, 'NXDOMAIN');
      assert.match(c2.ede ?? '', /C&C server.*block-c2/);
      const alias = await dig(port, 'alias.example');
      assert.deepEqual(alias.answers, ['127.0.0.1']);
      assert.match(alias.ede ?? '', /bad-target|alias\.example/);
    });

    test('the structured-error form: kdig sends an empty EDE option and gets I-JSON', async () => {
      const { stdout } = await run('kdig', [
        `@127.0.0.1`,
        '-p',
        String(port),
        '+ednsopt=15',
        '+retry=0',
        '+timeout=3',
        'listed.example',
        'A',
      ]);
      const m = /EDE: 15 \(Blocked\): '(.*)'/.exec(stdout) ?? /EDE: 15 \(Blocked\): (.*)/.exec(stdout);
      assert.ok(m, stdout);
      const json = JSON.parse(m[1].replace(/^'|'$/g, ''));
      assert.deepEqual(json.c, ['mailto:abuse@isp.example']);
      assert.equal(json.s, 2); // Phishing
      assert.equal(json.o, 'Example ISP');
      assert.equal(json.l, 'ja');
      assert.match(json.j, /phishing/);
      // dig can send it too
      const d = await dig(port, 'www.wild.example', 'A', ['+ednsopt=15']);
      assert.match(d.ede ?? '', /"s":1/); // Malware
    });

    test('a truncated UDP answer is retried over TCP upstream; the client gets TC and retries over TCP', async () => {
      const r = await dig(port, 'big.example', 'TXT', ['+bufsize=512']);
      assert.equal(r.status, 'NOERROR');
      assert.equal(r.answers.length, 40);
      assert.ok(upstream.seen.includes('big.example/TXT/tcp'));
      assert.match(r.raw, /Truncated, retrying in TCP mode|flags:.*/);
      const tcp = await dig(port, 'listed.example', 'A', ['+tcp']);
      assert.deepEqual(tcp.answers, ['127.0.0.1']);
    });

    test('TCP: several length-prefixed queries on one connection are all answered', async () => {
      const names = ['ok.example', 'listed.example', 'missing.example'];
      const framed = Buffer.concat(
        names.map((name, i) => {
          const m = aQuery(name, 100 + i);
          const len = Buffer.alloc(2);
          len.writeUInt16BE(m.length);
          return Buffer.concat([len, m]);
        }),
      );
      const sock = connect({ host: '127.0.0.1', port });
      sock.write(framed);
      const got = new Map<number, Packet>();
      let buf = Buffer.alloc(0);
      await new Promise<void>((resolve, reject) => {
        sock.on('error', reject);
        sock.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const p = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
            buf = buf.subarray(2 + buf.readUInt16BE(0));
            got.set(p.id ?? -1, p);
          }
          if (got.size === names.length) resolve();
        });
      });
      sock.destroy();
      assert.equal((got.get(100)?.answers?.[0] as { data?: string })?.data, '192.0.2.10');
      assert.equal((got.get(101)?.answers?.[0] as { data?: string })?.data, '127.0.0.1');
      assert.equal(((got.get(102) as { flags?: number } | undefined)?.flags ?? 0) & 0xf, 3, 'NXDOMAIN');
    });

    test('malformed packets get FORMERR when the header is readable, are dropped otherwise; the server keeps answering', async () => {
      const good = aQuery('ok.example', 4242);
      const truncated = good.subarray(0, 17);
      const res = await udpQuery(port, truncated);
      assert.ok(res);
      assert.equal(res.readUInt16BE(0), 4242);
      assert.equal(res.readUInt16BE(2) & 0xf, 1, 'FORMERR');
      assert.equal(await udpQuery(port, Buffer.from([1, 2, 3]), 300), null, 'shorter than a header: dropped');
      // fuzz: random bytes and every truncation of a real query; then a normal query still works
      let seed = 7;
      const rnd = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed >>> 16) & 0xff;
      };
      const sends: Promise<Buffer | null>[] = [];
      for (let i = 0; i < 200; i++) {
        const len = 12 + (rnd() % 60);
        const b = Buffer.alloc(len);
        for (let j = 0; j < len; j++) b[j] = rnd();
        b[2] &= 0x7f; // a query (QR=0), otherwise it is silently dropped
        sends.push(udpQuery(port, b, 300));
      }
      for (let n = 12; n < good.length; n++) sends.push(udpQuery(port, good.subarray(0, n), 300));
      const answers = await Promise.all(sends);
      for (const a of answers) if (a) assert.ok(a.length >= 12);
      const after = await dig(port, 'ok.example');
      assert.deepEqual(after.answers, ['192.0.2.10']);
    });

    test('hot swap: an indicator added then removed moves the serial; no query fails during the swaps', async () => {
      const q = aQuery('ok.example', 1);
      const load = async () => {
        const results = await Promise.all(Array.from({ length: 100 }, () => udpQuery(port, q)));
        return results.filter((r) => r === null || (r.readUInt16BE(2) & 0xf) !== 0).length;
      };
      assert.deepEqual((await dig(port, 'later.example')).answers, ['192.0.2.50']);
      const serialBefore = resolver.holder.index.serial;
      const id = await addIndicator(ctx, 'domain', 'later.example', 'malware-distribution', 'host');
      const [failedDuringAdd] = await Promise.all([load(), resolver.holder.refresh()]);
      assert.equal(failedDuringAdd, 0);
      assert.ok(resolver.holder.index.serial > serialBefore);
      assert.deepEqual((await dig(port, 'later.example')).answers, ['127.0.0.1']);
      await ctx.store.query(`UPDATE indicators SET status = 'delisted' WHERE id = $1`, [id]);
      await ctx.store.query(
        `INSERT INTO change_log (entity, entity_id, op) VALUES ('indicator', $1, 'remove')`,
        [String(id)],
      );
      const [failedDuringRemove] = await Promise.all([load(), resolver.holder.refresh()]);
      assert.equal(failedDuringRemove, 0);
      assert.deepEqual((await dig(port, 'later.example')).answers, ['192.0.2.50']);
      const serial = await ctx.metrics.registry.getSingleMetricAsString('yojin_dns_policy_serial');
      assert.match(serial, new RegExp(`yojin_dns_policy_serial ${resolver.holder.index.serial}`));
    });

    test('a repeated identical query gets the same bytes with its own id, counted; a policy swap changes it', async () => {
      const query = (id: number) => aQuery('Again.Example', id);
      const answered = async () =>
        Number(
          /action="resolve",rcode="NOERROR",transport="udp"} (\d+)/.exec(
            await ctx.metrics.registry.getSingleMetricAsString('yojin_dns_queries_total'),
          )?.[1] ?? 0,
        );
      const upstreamBefore = upstream.queries;
      const countBefore = await answered();
      const first = dnsPacket.decode((await udpQuery(port, query(101)))!);
      const raw2 = (await udpQuery(port, query(202)))!;
      const second = dnsPacket.decode(raw2);
      assert.equal(first.id, 101);
      assert.equal(second.id, 202);
      assert.equal(second.questions?.[0].name, 'Again.Example', "the client's question, case kept");
      assert.deepEqual(
        second.answers?.map((a) => (a as { data?: unknown }).data),
        ['192.0.2.60'],
      );
      assert.equal(upstream.queries, upstreamBefore + 1, 'one upstream query for both');
      assert.equal((await answered()) - countBefore, 2, 'both answers counted');
      await addIndicator(ctx, 'domain', 'again.example', 'phishing', 'host');
      await resolver.holder.refresh();
      const third = dnsPacket.decode((await udpQuery(port, query(303)))!);
      assert.equal(third.id, 303);
      assert.deepEqual(
        third.answers?.map((a) => (a as { data?: unknown }).data),
        ['127.0.0.1'],
        'the new listing applies at once',
      );
    });

    test('walled garden: a subscriber a case put there gets the warning address for every name but the exempt ones', async () => {
      await putInWalledGarden(ctx.store, 'sub-default', 'http://help.example/');
      await resolver.holder.refresh();
      const walled = await dig(port, 'ok.example', 'A', ['-b', '127.0.0.3']);
      assert.deepEqual(walled.answers, ['127.0.0.1']);
      assert.match(walled.ede ?? '', /^17 \(Filtered\).*walled garden/);
      assert.deepEqual((await dig(port, 'www.help.example', 'A', ['-b', '127.0.0.3'])).answers, [
        '192.0.2.71',
      ]);
      assert.deepEqual((await dig(port, 'ok.example', 'A', ['-b', '127.0.0.2'])).answers, ['192.0.2.10']);
      const audit = await ctx.store.query<{ n: string }>(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'dns.walled-garden-snapshot' AND measure = 'walled-garden'`,
      );
      assert.equal(Number(audit.rows[0].n), 1, 'reading who is walled is audited under its measure');
      // lifted (case resolved): the real answer again
      await ctx.store.query(`UPDATE walled_garden SET active = false, until = now()`);
      await ctx.store.query(
        `INSERT INTO change_log (entity, entity_id, op) VALUES ('walled-garden', 'sub-default', 'remove')`,
      );
      await resolver.holder.refresh();
      assert.deepEqual((await dig(port, 'ok.example', 'A', ['-b', '127.0.0.3'])).answers, ['192.0.2.10']);
    });

    test('the consent snapshot load is audited once per measure, never per query', async () => {
      const rows = await ctx.store.query<{ n: string }>(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'dns.consent-snapshot'`,
      );
      // one load at start and one per walled-garden change (previous test), each for both measures
      assert.equal(Number(rows.rows[0].n), 6, 'loads: at start and two walled-garden changes');
      const queries = await ctx.metrics.registry.getSingleMetricAsString('yojin_dns_queries_total');
      assert.match(queries, /action="warn",rcode="NOERROR"/);
      assert.match(queries, /action="nxdomain",rcode="NXDOMAIN"/);
    });

    test('fail-static: with the store closed the last policy keeps being served and /readyz says so', async () => {
      const close = ctx.store.close.bind(ctx.store);
      await close();
      ctx.store.close = async () => {}; // dispose() must not close it twice
      await resolver.holder.refresh();
      assert.equal(resolver.holder.failStatic, true);
      const fs = await ctx.metrics.registry.getSingleMetricAsString('yojin_dns_policy_fail_static');
      assert.match(fs, /yojin_dns_policy_fail_static 1/);
      const check = ctx.readiness.find((c) => c.name === 'dns-policy');
      const state = await check?.check();
      assert.equal(state?.ok, false);
      assert.match(state?.detail ?? '', /fail-static/);
      assert.deepEqual((await dig(port, 'listed.example')).answers, ['127.0.0.1']);
      assert.deepEqual((await dig(port, 'ok.example')).answers, ['192.0.2.10']);
    });
  });
}
