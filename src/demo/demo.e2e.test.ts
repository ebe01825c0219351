import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DnsResolver } from '../dns/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { queryFrom } from './dns.js';
import { startEnvironment } from './environment.js';
import { loopbackOf } from './plan.js';
import { reviewExercise } from './review.js';
import { type RunResult, runScenario } from './run.js';
import { loadScenario } from './scenario.js';

const SCENARIO = fileURLToPath(new URL('../../scenarios/small.yaml', import.meta.url));

for (const backend of testBackends()) {
  describe(`the whole system on the small scenario (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let env: Awaited<ReturnType<typeof startEnvironment>>;
    let resolver: DnsResolver;
    let result: RunResult;
    const dir = mkdtempSync(join(tmpdir(), 'yojin-demo-e2e-'));

    before(async () => {
      env = await startEnvironment(dir);
      ctx = await testContext(backend, {
        ...env.config,
        dns: { listen: '127.0.0.1:0', upstreams: env.upstreams, refresh_interval_s: 3600 },
      });
      resolver = new DnsResolver(ctx);
      await resolver.start();
      result = await runScenario(ctx, loadScenario(SCENARIO), { out: join(dir, 'files'), resolver });
    });
    after(async () => {
      await resolver?.stop();
      await env?.close();
      await ctx?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    test('every replayed query was answered as the ground truth expects', () => {
      assert.ok(result.replay.queries > 50);
      assert.deepEqual(result.replay.mismatches, []);
      assert.ok(result.replay.warned > 0 && result.replay.blocked > 0);
    });

    test('listed names are warned by DNS: the warning address with an Extended DNS Error', async () => {
      const out = new Set(result.truth.optedOut.map((o) => o.client));
      const client = [0, 1, 2, 3].map(loopbackOf).find((c) => !out.has(c))!;
      for (const name of result.truth.warned.filter((n) => n !== 'bakery.example')) {
        const r = await queryFrom(client, resolver.address!.port, name);
        assert.deepEqual(r.answers, [ctx.config.dns.warning_address_v4], name);
        // 15 Blocked, or 17 Filtered when it is the subscriber's own (default) choice
        assert.ok(r.ede && [15, 17].includes(r.ede.code), name);
        assert.match(r.ede!.text, /dangerous site/);
      }
      for (const name of result.truth.blocked) {
        const r = await queryFrom(client, resolver.address!.port, name);
        assert.equal(r.rcode, 'NXDOMAIN', name);
        assert.ok(r.ede, name);
      }
    });

    test('the opted-out subscriber is not warned', async () => {
      assert.ok(
        result.truth.optedOut.length > 0,
        'the scenario puts an opted-out subscriber among the phishing victims',
      );
      for (const o of result.truth.optedOut) {
        const r = await queryFrom(o.client, resolver.address!.port, o.name);
        assert.notDeepEqual(r.answers, [ctx.config.dns.warning_address_v4]);
        assert.ok(r.answers.length > 0, 'answered with the real address');
      }
    });

    test('infected subscribers get exactly their notices, in their language; nobody else gets mail', () => {
      const box = env.mailbox.dir;
      const expected = new Map<string, { count: number; language?: 'ja' | 'en' }>();
      for (const n of result.truth.notices)
        expected.set(n.email, { count: (expected.get(n.email)?.count ?? 0) + n.count, language: n.language });
      for (const n of result.truth.siteNotices) expected.set(n.email, { count: n.count });
      assert.deepEqual(
        readdirSync(box).sort(),
        [...expected.keys()].sort(),
        'mail went to exactly these addresses',
      );
      for (const [email, want] of expected) {
        const files = readdirSync(join(box, email));
        assert.equal(files.length, want.count, email);
        if (!want.language) continue;
        for (const f of files) {
          const text = decodeQp(
            readFileSync(join(box, email, f), 'utf8')
              .split(/\r?\n\r?\n/)
              .slice(1)
              .join('\n'),
          );
          // Notices are bilingual; the subscriber's language comes first.
          const en = text.indexOf('Dear customer');
          const ja = text.indexOf('お客さま');
          assert.ok(en >= 0 && ja >= 0, `${email}: both languages`);
          assert.equal(en < ja ? 'en' : 'ja', want.language, `${email} reads ${want.language} first`);
        }
      }
      assert.ok(
        result.truth.notices.some((n) => n.language === 'en') &&
          result.truth.notices.some((n) => n.language === 'ja'),
      );
    });

    test('the false positive ends delisted and resolves normally again', async () => {
      assert.equal(result.fpReports.length, 1);
      const row = await ctx.store.query<{ status: string }>(`SELECT status FROM fp_reports WHERE id = $1`, [
        result.fpReports[0],
      ]);
      assert.equal(row.rows[0].status, 'accepted');
      const ind = await ctx.store.query<{ status: string }>(
        `SELECT status FROM indicators WHERE value = 'bakery.example'`,
      );
      assert.ok(ind.rows.length > 0 && ind.rows.every((r) => r.status !== 'active'));
      const r = await queryFrom('127.10.0.1', resolver.address!.port, 'bakery.example');
      assert.equal(r.ede, undefined);
      assert.notDeepEqual(r.answers, [ctx.config.dns.warning_address_v4]);
    });

    test('the monthly figures match the ground truth', () => {
      for (const [month, figures] of Object.entries(result.truth.monthly))
        for (const [metric, value] of Object.entries(figures))
          assert.equal(result.monthly[month]?.[metric], value, `${month} ${metric}`);
    });

    test('the exercise review finds every expected case handled and nothing else', async () => {
      const review = await reviewExercise(ctx, result.truth);
      assert.equal(review.ok, true, JSON.stringify(review, null, 2));
      assert.equal(review.cases.length, result.truth.notices.length);
      assert.ok(review.cases.every((c) => c.hoursToFirstNotice !== null && c.hoursToFirstNotice <= 24));
    });
  });
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(t[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
