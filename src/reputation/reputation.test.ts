import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DAY_MS } from '../clock/index.js';
import { type FeedRecord, getParser, type ParseItem, readLines } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import {
  addAllowlist,
  changesSince,
  check,
  currentSerial,
  expireIndicators,
  getIndicator,
  importFeed,
  listFpReports,
  listIndicators,
  removeAllowlist,
  reportFalsePositive,
  reviewFpReport,
  updateSource,
  VerdictIndex,
} from './index.js';

const FIX = join(import.meta.dirname, 'fixtures');
const parse = (format: string, file: string) => getParser(format).parse(readLines(join(FIX, file)));

async function ind(ctx: { store: Store }, kind: string, value: string) {
  const r = await ctx.store.query<{
    id: number;
    status: string;
    scope: string;
    scope_reason: string;
    confidence: number;
    category: string;
  }>(
    'SELECT id, status, scope, scope_reason, confidence, category FROM indicators WHERE kind = $1 AND value = $2',
    [kind, value],
  );
  return r.rows[0];
}

for (const backend of testBackends()) {
  describe(`reputation on ${backend.name}`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    before(async () => {
      ctx = await testContext(backend);
    });
    after(() => ctx.dispose());

    test('import: malformed lines reported with their numbers, the rest imported with scope guards', async () => {
      const s = await importFeed(ctx, {
        source: 'urlhaus',
        format: 'urlhaus-csv',
        items: parse('urlhaus-csv', 'urlhaus-small.csv'),
      });
      assert.equal(s.read, 7);
      assert.deepEqual(
        s.rejected.map((r) => r.line),
        [10, 12],
      );
      assert.match(s.rejected[0].reason, /not an absolute URL/);
      assert.equal(s.new, 5);
      assert.equal(s.updated + s.unchanged, 0);
      assert.equal(s.derivedHosts, 1);

      // a dedicated host: URL listing plus a host listing so DNS can warn
      const url = await ind(ctx, 'url', 'http://evil-dedicated.example/payload/a.exe');
      assert.equal(url.scope, 'url');
      assert.equal(url.status, 'active');
      const host = await ind(ctx, 'domain', 'evil-dedicated.example');
      assert.equal(host.scope, 'host');
      assert.match(host.scope_reason, /derived from URL/);
      // canonicalised: case, dot-segments and fragment
      assert.ok(await ind(ctx, 'url', 'http://evil-dedicated.example/other/b.exe'));
      // shared hosting (PSL private section), a top site and an IP host stay URL-level
      const blog = await ind(ctx, 'url', 'http://victim.blogspot.com/2026/10/dl.exe');
      assert.match(blog.scope_reason, /shared-hosting suffix blogspot\.com/);
      assert.equal(await ind(ctx, 'domain', 'victim.blogspot.com'), undefined);
      const drive = await ind(ctx, 'url', 'https://drive.google.com/uc?id=abc123&export=download');
      assert.match(drive.scope_reason, /top-sites list/);
      assert.equal(await ind(ctx, 'domain', 'drive.google.com'), undefined);
      assert.equal(await ind(ctx, 'domain', 'google.com'), undefined);
      const ipUrl = await ind(ctx, 'url', 'http://185.220.101.7/bins/x86');
      assert.match(ipUrl.scope_reason, /IP address/);

      // every newly active listing is in the change log
      const changes = await changesSince(ctx.store, 0);
      assert.equal(changes.length, 6);
      assert.ok(changes.every((c) => c.op === 'add' && c.state.status === 'active'));
      assert.equal(await currentSerial(ctx.store), changes.at(-1)!.serial);
    });

    test('re-import of the same file changes only last_seen / times_seen and logs nothing', async () => {
      const serial = await currentSerial(ctx.store);
      const before = await getIndicator(
        ctx.store,
        (await ind(ctx, 'url', 'http://evil-dedicated.example/payload/a.exe')).id,
      );
      ctx.clock.advance(3_600_000);
      const s = await importFeed(ctx, {
        source: 'urlhaus',
        format: 'urlhaus-csv',
        items: parse('urlhaus-csv', 'urlhaus-small.csv'),
      });
      assert.deepEqual([s.new, s.updated, s.unchanged, s.rejectedCount], [0, 0, 5, 2]);
      assert.equal(await currentSerial(ctx.store), serial);
      const afterDetail = await getIndicator(ctx.store, before.id);
      assert.equal(afterDetail.observations[0].times_seen, 2);
      assert.notEqual(afterDetail.last_seen, before.last_seen);
      assert.equal(afterDetail.first_seen, before.first_seen);
      assert.equal(afterDetail.status, before.status);
      assert.equal(afterDetail.category, before.category);
    });

    test('confidence: corroboration by an independent source raises it, age decays it', async () => {
      const single = await ind(ctx, 'url', 'http://evil-dedicated.example/payload/a.exe');
      assert.ok(Math.abs(single.confidence - 0.5) < 1e-3, `one source at r=0.5: ${single.confidence}`);
      const s = await importFeed(ctx, {
        source: 'openphish',
        format: 'openphish-txt',
        items: parse('openphish-txt', 'openphish-small.txt'),
      });
      assert.equal(s.new, 2);
      assert.equal(s.updated, 1); // a.exe: a new source observed it
      const two = await ind(ctx, 'url', 'http://evil-dedicated.example/payload/a.exe');
      assert.ok(
        Math.abs(two.confidence - 0.75) < 1e-3,
        `two sources: 1-(0.5·0.5) = 0.75, got ${two.confidence}`,
      );
      // phish.github.io is under a private suffix: URL-level only
      assert.equal(await ind(ctx, 'domain', 'phish.github.io'), undefined);
      // a more reliable source's category wins
      await updateSource(ctx, 'openphish', { reliability: 0.9 });
      ctx.clock.advance(30 * DAY_MS); // one half-life for urlhaus' observation
      await importFeed(ctx, {
        source: 'openphish',
        format: 'openphish-txt',
        items: parse('openphish-txt', 'openphish-small.txt'),
      });
      const aged = await ind(ctx, 'url', 'http://evil-dedicated.example/payload/a.exe');
      // 1 − (1 − 0.5·0.5)(1 − 0.9) = 0.925
      assert.ok(Math.abs(aged.confidence - 0.925) < 2e-3, `aged: ${aged.confidence}`);
      assert.equal(aged.category, 'phishing');
      const changes = await changesSince(ctx.store, 0);
      assert.ok(
        changes.some(
          (c) => c.op === 'update' && c.state.value === 'http://evil-dedicated.example/payload/a.exe',
        ),
      );
    });

    test('domain feeds: top sites and public suffixes refused, wildcards list the whole domain', async () => {
      const s = await importFeed(ctx, {
        source: 'plain',
        format: 'plain-domains',
        items: parse('plain-domains', 'plain-domains-small.txt'),
      });
      assert.equal(s.new, 1);
      assert.deepEqual(
        s.rejected.map((r) => r.line),
        [3, 4],
      );
      assert.match(s.rejected[0].reason, /top-sites list/);
      assert.match(s.rejected[1].reason, /public suffix/);
      assert.equal((await ind(ctx, 'domain', 'wild-evil.example')).scope, 'host');
      const r = await importFeed(ctx, { source: 'rpz', format: 'rpz', items: parse('rpz', 'wildcard.rpz') });
      assert.equal(r.rejectedCount, 0);
      const w = await ind(ctx, 'domain', 'wild-evil.example');
      assert.equal(w.scope, 'domain');
      assert.match(w.scope_reason, /wildcard/);
    });

    test('address guards: special-purpose space, protected resolvers and over-wide networks are refused', async () => {
      const items = ['45.155.205.233', '8.8.8.8', '10.0.0.1', '192.0.2.1', '4.0.0.0/6'].map(
        (value, i): ParseItem => ({
          line: i + 1,
          kind: value.includes('/') ? 'cidr' : 'ip',
          value,
          category: 'c2',
          attributes: {},
        }),
      );
      const s = await importFeed(ctx, { source: 'ips', format: 'plain-ips', items });
      assert.equal(s.new, 1);
      assert.deepEqual(
        s.rejected.map((r) => [r.line, r.reason.match(/protected|special-purpose|too wide/)?.[0]]),
        [
          [2, 'protected'],
          [3, 'special-purpose'],
          [4, 'special-purpose'],
          [5, 'too wide'],
        ],
      );
    });

    test('check: URL expressions, host and parent-domain listings, addresses and networks', async () => {
      await importFeed(ctx, {
        source: 'feodo',
        format: 'feodo-csv',
        items: parse('feodo-csv', 'feodo-small.csv'),
      });
      await importFeed(ctx, {
        source: 'drop',
        format: 'spamhaus-drop',
        items: parse('spamhaus-drop', 'drop-small.txt'),
      });
      const exact = await check(ctx, 'http://evil-dedicated.example/payload/a.exe');
      assert.equal(exact.listed, true);
      const hows = exact.matches.map((m) => `${m.how}:${m.indicator.value}`).sort();
      assert.deepEqual(hows, [
        'host:evil-dedicated.example',
        'url-expression:http://evil-dedicated.example/payload/a.exe',
      ]);
      assert.deepEqual(exact.matches.find((m) => m.how === 'url-expression')!.indicator.sources, [
        'openphish',
        'urlhaus',
      ]);
      const other = await check(ctx, 'https://evil-dedicated.example/elsewhere');
      assert.deepEqual(
        other.matches.map((m) => m.how),
        ['host'],
      );
      const sub = await check(ctx, 'deep.sub.wild-evil.example');
      assert.equal(sub.listed, true);
      assert.equal(sub.matches[0].how, 'parent-domain');
      const blog = await check(ctx, 'http://victim.blogspot.com/another-post');
      assert.equal(blog.listed, false);
      const blogUrl = await check(ctx, 'HTTP://victim.blogspot.com/2026/10/dl.exe');
      assert.equal(blogUrl.listed, true);
      const ip = await check(ctx, '45.9.148.9');
      assert.equal(ip.matches[0].how, 'address');
      assert.equal(ip.matches[0].indicator.category, 'c2');
      const net = await check(ctx, 'http://45.14.226.77/x');
      assert.equal(net.matches[0].how, 'network');
      assert.equal(net.matches[0].indicator.value, '45.14.224.0/22');
      assert.equal((await check(ctx, 'example.org')).listed, false);

      const idx = await VerdictIndex.fromStore(ctx.store);
      assert.deepEqual(
        idx
          .matchUrl('http://evil-dedicated.example/payload/a.exe')
          .map((h) => h.how)
          .sort(),
        ['host', 'url-expression'],
      );
      assert.equal(idx.match('deep.sub.wild-evil.example')[0].how, 'parent-domain');
      assert.equal(idx.match('45.14.227.200')[0].how, 'network');
      assert.equal(idx.matchUrl('http://victim.blogspot.com/another-post').length, 0);
    });

    test('search: filter by value, category, source, confidence and page', async () => {
      const all = await listIndicators(ctx.store, { limit: 2 });
      assert.equal(all.items.length, 2);
      assert.ok(all.total >= 10);
      const byQ = await listIndicators(ctx.store, { q: 'blogspot' });
      assert.deepEqual(
        byQ.items.map((i) => i.value),
        ['http://victim.blogspot.com/2026/10/dl.exe'],
      );
      const c2 = await listIndicators(ctx.store, { category: 'c2', source: 'feodo' });
      assert.deepEqual(
        c2.items.map((i) => i.value),
        ['45.9.148.9'],
      );
      const high = await listIndicators(ctx.store, { minConfidence: 0.9 });
      assert.ok(high.items.every((i) => i.confidence >= 0.9));
      assert.ok(high.items.length >= 1);
    });

    test('false positive: report → review → delist → suppression until newer evidence', async () => {
      const value = 'http://185.220.101.7:8080/bins/x86';
      const { report, message } = await reportFalsePositive(ctx, {
        value,
        reporter: 'site owner',
        reason: 'our own server',
        lang: 'en',
      });
      assert.equal(report.status, 'pending');
      assert.ok(report.indicator_id);
      assert.match(message, /review/);
      assert.equal((await listFpReports(ctx, { status: 'pending' })).length, 1);
      const serial = await currentSerial(ctx.store);
      const reviewed = await reviewFpReport(ctx, report.id, {
        decision: 'accept',
        reviewer: 'analyst1',
        note: 'confirmed clean',
      });
      assert.equal(reviewed.status, 'accepted');
      const [removed] = await changesSince(ctx.store, serial);
      assert.equal(removed.op, 'remove');
      assert.equal(removed.state.status, 'delisted');
      assert.equal((await check(ctx, value)).listed, false);

      // the same source re-sends the same (old) record: stays delisted
      ctx.clock.advance(DAY_MS);
      await importFeed(ctx, {
        source: 'urlhaus',
        format: 'urlhaus-csv',
        items: parse('urlhaus-csv', 'urlhaus-small.csv'),
      });
      assert.equal((await ind(ctx, 'url', 'http://185.220.101.7/bins/x86')).status, 'delisted');
      // newer evidence (seen after the delisting) re-lists it
      const fresh: FeedRecord = {
        line: 1,
        kind: 'url',
        value,
        category: 'malware-distribution',
        seenAt: ctx.clock.now(),
        attributes: {},
      };
      const s = await importFeed(ctx, {
        source: 'urlhaus',
        format: 'urlhaus-csv',
        items: [fresh] as ParseItem[],
      });
      assert.equal(s.updated, 1);
      assert.equal((await ind(ctx, 'url', 'http://185.220.101.7/bins/x86')).status, 'active');
      const detail = await getIndicator(ctx.store, report.indicator_id!);
      assert.deepEqual(
        detail.history.map((h) => h.action),
        ['delist', 'status'],
      );
      assert.deepEqual(
        detail.changes.map((c) => c.op),
        ['add', 'remove', 'add'],
      );
    });

    test('allowlist: domain entry takes host listings out of force, URL listings stay; removal restores', async () => {
      const serial = await currentSerial(ctx.store);
      const { entry, affected } = await addAllowlist(ctx, {
        kind: 'domain',
        value: 'Evil-Dedicated.example.',
        reason: 'test: owner cleaned it',
        actor: 'analyst1',
      });
      assert.equal(entry.value, 'evil-dedicated.example');
      assert.equal(affected, 1);
      assert.equal((await ind(ctx, 'domain', 'evil-dedicated.example')).status, 'allowlisted');
      assert.equal((await ind(ctx, 'url', 'http://evil-dedicated.example/payload/a.exe')).status, 'active');
      const ch = await changesSince(ctx.store, serial);
      assert.deepEqual(
        ch.map((c) => [c.op, c.state.value]),
        [['remove', 'evil-dedicated.example']],
      );
      // a new URL on the allowlisted host no longer derives a host listing, and re-import keeps it allowlisted
      await importFeed(ctx, {
        source: 'urlhaus',
        format: 'urlhaus-csv',
        items: parse('urlhaus-csv', 'urlhaus-small.csv'),
      });
      assert.equal((await ind(ctx, 'domain', 'evil-dedicated.example')).status, 'allowlisted');
      assert.match(
        (await ind(ctx, 'url', 'http://evil-dedicated.example/other/b.exe')).scope_reason,
        /allowlisted/,
      );
      const { restored } = await removeAllowlist(ctx, entry.id, 'analyst1');
      assert.equal(restored, 1);
      assert.equal((await ind(ctx, 'domain', 'evil-dedicated.example')).status, 'active');
    });

    test('expiry: past the TTL listings expire with a change-log remove; re-observation restores them', async () => {
      ctx.clock.advance(400 * DAY_MS);
      const serial = await currentSerial(ctx.store);
      const { expired } = await expireIndicators(ctx);
      assert.ok(expired >= 10);
      const ch = await changesSince(ctx.store, serial);
      assert.equal(ch.length, expired);
      assert.ok(ch.every((c) => c.op === 'remove' && c.state.status === 'expired'));
      assert.equal((await check(ctx, '45.9.148.9')).listed, false);
      assert.equal((await expireIndicators(ctx)).expired, 0);
      await importFeed(ctx, {
        source: 'feodo',
        format: 'feodo-csv',
        items: parse('feodo-csv', 'feodo-small.csv'),
      });
      assert.equal((await check(ctx, '45.9.148.9')).listed, true);
      const [back] = await changesSince(ctx.store, (await currentSerial(ctx.store)) - 1);
      assert.equal(back.op, 'add');
    });
  });
}
