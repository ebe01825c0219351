import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Queryable } from '../store/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { putInWalledGarden } from '../testing/walled-garden.js';
import { BypassTable, buildWarningServer, type FalsePositiveInput, Signer } from './index.js';
import { signContinue } from './signing.js';

const SECRET = 'test-secret-of-the-warning-page-0123456789';
const BAD = 'bad.example';

async function listIndicator(
  db: Queryable,
  ind: { kind: 'domain' | 'url'; value: string; category: string; scope?: string; expr?: string },
  at: Date,
) {
  await db.query(
    `INSERT INTO indicators (kind, value, category, scope, status, first_seen, last_seen, expr)
     VALUES ($1, $2, $3, $4, 'active', $5, $5, $6)`,
    [ind.kind, ind.value, ind.category, ind.scope ?? 'exact', at, ind.expr ?? null],
  );
}

/** The href of the first link whose attribute `attr` matches. */
function hrefOf(html: string, re: RegExp): string {
  const m = re.exec(html);
  assert.ok(m, `no match for ${re} in page`);
  return m[1].replace(/&#38;/g, '&');
}
const continueHref = (html: string) => hrefOf(html, /<a class="continue" href="([^"]+)"/);
const tokenOf = (html: string) => hrefOf(html, /name="token" value="([^"]+)"/);

for (const backend of testBackends()) {
  describe(`warning page (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    let app: FastifyInstance;
    let table: BypassTable;
    const reports: FalsePositiveInput[] = [];
    let logged = '';

    before(async () => {
      ctx = await testContext(backend, {
        warning: {
          hmac_secret: SECRET,
          organisation_ja: '用心ネット',
          organisation_en: 'Yojin Net',
          contact_phone: '0120-000-000',
          contact_email: 'help@isp.example',
          report_limit: 3,
        },
        measures: { 'walled-garden': { enabled: true } },
      });
      // A logger that keeps everything, to check what the page writes about requests.
      ctx.log = pino(
        { level: 'trace' },
        new Writable({
          write(chunk, _enc, cb) {
            logged += chunk;
            cb();
          },
        }),
      );
      const now = ctx.clock.now();
      await listIndicator(
        ctx.store,
        { kind: 'domain', value: BAD, category: 'malware-distribution', scope: 'domain' },
        now,
      );
      await listIndicator(
        ctx.store,
        { kind: 'domain', value: 'phish.example', category: 'phishing', scope: 'host' },
        now,
      );
      await listIndicator(ctx.store, { kind: 'domain', value: 'cc.example', category: 'c2' }, now);
      await listIndicator(
        ctx.store,
        {
          kind: 'url',
          value: 'http://shared.example/~eve/dropper.exe',
          expr: 'shared.example/~eve/dropper.exe',
          category: 'malware-distribution',
        },
        now,
      );
      table = new BypassTable(ctx.clock);
      app = await buildWarningServer(ctx, {
        bypasses: table,
        reportSink: async (_ctx, input) => {
          reports.push(input);
          return { id: reports.length };
        },
      });
    });
    after(async () => {
      await app.close();
      await ctx.dispose();
    });

    const get = (url: string, headers: Record<string, string> = {}, remoteAddress = '192.0.2.10') =>
      app.inject({ method: 'GET', url, headers: { host: BAD, ...headers }, remoteAddress });

    test('Japanese by default and for ja Accept-Language; names host, category and why', async () => {
      const r = await get('/download/setup.exe?ref=mail', { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' });
      assert.equal(r.statusCode, 403);
      assert.match(r.body, /<html lang="ja">/);
      assert.equal(r.headers['content-language'], 'ja');
      assert.match(r.body, /<code>bad\.example<\/code>/);
      assert.match(r.body, /ウイルス（マルウェア）の配布/);
      assert.match(r.body, /不正なプログラム/);
      assert.match(r.body, /用心ネット/);
      assert.match(r.body, /0120-000-000/);
      const none = await get('/');
      assert.match(none.body, /<html lang="ja">/);
    });

    test('English by Accept-Language, and the switch link shows the other language', async () => {
      const r = await get('/a/b?x=1', { 'accept-language': 'en-GB,en;q=0.9,ja;q=0.5' });
      assert.match(r.body, /<html lang="en">/);
      assert.match(r.body, /Malware distribution/);
      assert.match(r.body, /Yojin Net/);
      const sw = hrefOf(r.body, /<nav aria-label="Language"><a href="([^"]+)" hreflang="ja"/);
      const ja = await get(sw, { 'accept-language': 'en' });
      assert.match(ja.body, /<html lang="ja">/);
      // the switched page still speaks of the page first asked for
      assert.match(ja.body, /http:\/\/bad\.example\/a\/b\?x=1/);
      const en = await get('/?lang=en', { 'accept-language': 'ja' });
      assert.match(en.body, /<html lang="en">/);
    });

    test('headers: CSP without external sources, no caching, noindex', async () => {
      const r = await get('/');
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /style-src 'sha256-/);
      assert.doesNotMatch(r.body, /<script|src="http|href="https?:\/\/(?!bad\.example)[^"]*\.(css|js)/);
      assert.match(String(r.headers['cache-control']), /no-store/);
      assert.match(String(r.headers['x-robots-tag']), /noindex/);
      assert.equal(r.headers['x-frame-options'], 'DENY');
    });

    test('subdomains of a domain-scope listing are covered; host-scope and URL listings match only themselves', async () => {
      const sub = await get('/', { host: 'www.bad.example' });
      assert.match(sub.body, /このサイト全体（bad\.example）/);
      const phish = await get('/login', { host: 'phish.example', 'accept-language': 'en' });
      assert.match(phish.body, /Phishing/);
      const notPhish = await get('/', { host: 'sub.phish.example', 'accept-language': 'en' });
      assert.equal(notPhish.statusCode, 200);
      assert.match(notPhish.body, /not on the list of dangerous sites any more/);
      const url = await get('/~eve/dropper.exe', { host: 'shared.example', 'accept-language': 'en' });
      assert.match(url.body, /This page \(URL\) is on the list/);
      const other = await get('/~bob/', { host: 'shared.example', 'accept-language': 'en' });
      assert.match(other.body, /Some pages of this site are on the list/);
    });

    test('reached by address, the listener says what it is, without a continue link or form', async () => {
      const r = await get('/', { host: '127.0.0.1:8081' });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /危険サイト注意喚起サービス/);
      assert.doesNotMatch(r.body, /__yojin\/continue|<form/);
    });

    test('the signed continue link redirects to the blocked URL and records a bypass (audited)', async () => {
      const page = await get('/download/setup.exe?ref=mail');
      const href = continueHref(page.body);
      const r = await get(href);
      assert.equal(r.statusCode, 303);
      assert.equal(r.headers.location, 'http://bad.example/download/setup.exe?ref=mail');
      assert.match(String(r.headers['cache-control']), /no-store/);
      assert.equal(table.isBypassed('192.0.2.10', 'bad.example.'), true);
      assert.equal(table.isBypassed('192.0.2.11', BAD), false, 'another client');
      assert.equal(table.isBypassed('192.0.2.10', 'www.bad.example'), false, 'another host');
      const rows = await ctx.store.query<{ client: string; host: string }>(
        'SELECT client, host FROM warning_bypasses',
      );
      assert.deepEqual(rows.rows, [{ client: '192.0.2.10', host: BAD }]);
      const audit = await ctx.store.query<{
        measure: string;
        subject: string;
        outcome: string;
        details: unknown;
      }>(`SELECT measure, subject, outcome, details FROM audit_log WHERE action = 'warning.continue'`);
      assert.equal(audit.rows.length, 1);
      assert.equal(audit.rows[0].measure, 'warn-malicious-site');
      assert.equal(audit.rows[0].subject, 'site:bad.example');
      assert.doesNotMatch(
        JSON.stringify(audit.rows[0]),
        /192\.0\.2\.10|ref=mail/,
        'no client address or URL in the audit log',
      );
      // while the bypass holds, a reload of the warning page says why it still shows
      const again = await get('/download/setup.exe?ref=mail');
      assert.match(again.body, /「危険を承知で進む」が選ばれています/);
      ctx.clock.advance(11 * 60_000);
      assert.equal(table.isBypassed('192.0.2.10', BAD), false, 'the bypass expires');
    });

    test('a fresh table learns grants from the store (for a resolver in another process)', async () => {
      const page = await get('/x', {}, '2001:db8:1:2::77');
      await get(continueHref(page.body), {}, '2001:db8:1:2::77');
      const other = new BypassTable(ctx.clock);
      assert.ok((await other.load(ctx.store)) >= 1);
      assert.equal(other.isBypassed('2001:db8:1:2:aaaa::1', BAD), true, 'same /64');
      assert.equal(other.isBypassed('2001:db8:1:3::77', BAD), false, 'another /64');
    });

    test('the continue link refuses tampering, expiry, other hosts and other clients', async () => {
      const page = await get('/p?q=1');
      const good = new URL(continueHref(page.body), 'http://x');
      const variant = (k: string, v: string) => {
        const u = new URL(good);
        u.searchParams.set(k, v);
        return `${u.pathname}${u.search}`;
      };
      const sig = good.searchParams.get('s') ?? '';
      const cases: Array<[string, string, number]> = [
        ['changed host', variant('h', 'evil.example'), 403],
        ['changed path', variant('p', '/other'), 403],
        ['changed expiry', variant('e', String(Number(good.searchParams.get('e')) + 3600)), 403],
        ['changed lang', variant('l', 'en'), 403],
        ['changed signature', variant('s', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`), 403],
        ['missing signature', `${good.pathname}?h=bad.example&p=%2F&e=9999999999&l=ja`, 400],
        ['bad expiry', variant('e', 'tomorrow'), 400],
      ];
      for (const [name, url, status] of cases) {
        const r = await get(url);
        assert.equal(r.statusCode, status, name);
        assert.equal(r.headers.location, undefined, name);
        assert.match(r.body, /このリンクは使えません|This link cannot be used/, name);
      }
      const otherHost = await get(`${good.pathname}${good.search}`, { host: 'evil.example' });
      assert.equal(otherHost.statusCode, 403);
      assert.equal(otherHost.headers.location, undefined);
      const otherClient = await get(`${good.pathname}${good.search}`, {}, '198.51.100.9');
      assert.equal(otherClient.statusCode, 403);
      ctx.clock.advance(11 * 60_000);
      const expired = await get(`${good.pathname}${good.search}`);
      assert.equal(expired.statusCode, 410);
      assert.match(expired.body, /有効期限が切れています/);
    });

    test('no open redirect, even with a valid signature over a hostile path', async () => {
      const signer = new Signer(Buffer.from(SECRET, 'utf8'));
      const exp = Math.floor(ctx.clock.now().getTime() / 1000) + 300;
      const forged = (path: string, host = BAD) =>
        `/__yojin/continue?${signContinue(signer, { host, path, exp, lang: 'en' }, '192.0.2.10')}`;
      for (const p of [
        '//evil.example/',
        '/\\evil.example',
        '\\\\evil.example',
        'http://evil.example/',
        '/x\r\nLocation: http://evil.example/',
        '@evil.example',
        '/\t/evil.example',
        '',
      ]) {
        const r = await get(forged(p));
        assert.equal(r.statusCode, 400, JSON.stringify(p));
        assert.equal(r.headers.location, undefined, JSON.stringify(p));
      }
      for (const h of ['evil.example@bad.example', 'bad.example:80', 'bad.example/', 'bad.example\\evil']) {
        const r = await get(forged('/', h), { host: BAD });
        assert.ok(r.statusCode >= 400, h);
        assert.equal(r.headers.location, undefined, h);
      }
      // a hostile request target is never signed: the page falls back to "/"
      const page = await get('//evil.example/path');
      assert.equal(new URL(continueHref(page.body), 'http://x').searchParams.get('p'), '/');
      // whatever path was signed, a redirect only ever goes to http://bad.example/…
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 40 }), async (p) => {
          const r = await get(forged(p));
          if (r.statusCode === 303) {
            const loc = new URL(String(r.headers.location));
            assert.equal(loc.protocol, 'http:');
            assert.equal(loc.host, BAD);
            assert.equal(loc.username + loc.password, '');
            assert.ok(String(r.headers.location).startsWith(`http://${BAD}/`));
          } else assert.equal(r.headers.location, undefined);
        }),
        { numRuns: 150 },
      );
    });

    test('a C&C destination offers no continue, and a forged one is refused', async () => {
      const r = await get('/gate.php', { host: 'cc.example', 'accept-language': 'en' });
      assert.match(r.body, /Malware command server/);
      assert.match(r.body, /cannot be reached/);
      assert.doesNotMatch(r.body, /class="continue"/);
      const signer = new Signer(Buffer.from(SECRET, 'utf8'));
      const exp = Math.floor(ctx.clock.now().getTime() / 1000) + 300;
      const f = await get(
        `/__yojin/continue?${signContinue(signer, { host: 'cc.example', path: '/', exp, lang: 'en' }, '192.0.2.10')}`,
        {
          host: 'cc.example',
        },
      );
      assert.equal(f.statusCode, 403);
      assert.equal(f.headers.location, undefined);
    });

    const post = (body: string, opts: { host?: string; remote?: string; type?: string } = {}) =>
      app.inject({
        method: 'POST',
        url: '/__yojin/report',
        headers: { host: opts.host ?? BAD, 'content-type': opts.type ?? 'application/x-www-form-urlencoded' },
        remoteAddress: opts.remote ?? '203.0.113.5',
        payload: body,
      });
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

    test('report a mistake: validates, needs a valid token, creates a report, confirms in the language', async () => {
      const page = await get('/setup.exe', { 'accept-language': 'en' }, '203.0.113.5');
      const token = tokenOf(page.body);
      const base = { lang: 'en', to: '/setup.exe', reason: 'This is my company’s download server.' };
      const missing = await post(form(base));
      assert.equal(missing.statusCode, 403);
      assert.match(missing.body, /form has expired or is not valid/);
      const wrong = await post(form({ ...base, token: `${token.split('.')[0]}.${'A'.repeat(43)}` }));
      assert.equal(wrong.statusCode, 403);
      const otherHost = await post(form({ ...base, token }), { host: 'phish.example' });
      assert.equal(otherHost.statusCode, 403);
      const otherClient = await post(form({ ...base, token }), { remote: '203.0.113.6' });
      assert.equal(otherClient.statusCode, 403);
      const empty = await post(form({ ...base, token, reason: '   ' }));
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /Please say why you believe the site is safe/);
      assert.match(empty.body, /aria-invalid="true"/);
      const badContact = await post(form({ ...base, token, contact: 'not a contact' }));
      assert.equal(badContact.statusCode, 400);
      assert.match(badContact.body, /e-mail address or a phone number/);
      assert.equal(reports.length, 0, 'nothing stored for invalid submissions');
      const ok = await post(form({ ...base, token, contact: 'admin@corp.example', reporter: 'Sato' }));
      assert.equal(ok.statusCode, 200);
      assert.match(ok.body, /<html lang="en">/);
      assert.match(ok.body, /Thank you for your report/);
      assert.deepEqual(reports.at(-1), {
        value: BAD,
        reason: base.reason,
        reporter: 'Sato',
        contact: 'admin@corp.example',
        lang: 'en',
      });
      const ja = await post(form({ ...base, lang: 'ja', token }));
      assert.match(ja.body, /ご報告ありがとうございました/);
      assert.equal(reports.at(-1)?.lang, 'ja');
    });

    test('report a mistake: URL listings report the listed URL; rate limit, size limit, other media types', async () => {
      const page = await get('/~eve/dropper.exe', { host: 'shared.example' }, '203.0.113.50');
      const token = tokenOf(page.body);
      const body = form({ token, lang: 'ja', to: '/~eve/dropper.exe', reason: '誤検知です' });
      const first = await post(body, { host: 'shared.example', remote: '203.0.113.50' });
      assert.equal(first.statusCode, 200);
      assert.equal(reports.at(-1)?.value, 'http://shared.example/~eve/dropper.exe');
      await post(body, { host: 'shared.example', remote: '203.0.113.50' });
      await post(body, { host: 'shared.example', remote: '203.0.113.50' });
      const limited = await post(body, { host: 'shared.example', remote: '203.0.113.50' });
      assert.equal(limited.statusCode, 429);
      assert.match(limited.body, /しばらくしてから/);
      const big = await post(form({ token, reason: 'x'.repeat(9000) }), {
        host: 'shared.example',
        remote: '203.0.113.50',
      });
      assert.equal(big.statusCode, 413);
      const json = await post(JSON.stringify({ token, reason: 'x' }), { type: 'application/json' });
      assert.equal(json.statusCode, 415);
    });

    test('without a test sink, a report lands in the reputation false-positive queue (fp_reports)', async () => {
      const real = await buildWarningServer(ctx, { bypasses: table });
      try {
        const page = await real.inject({
          method: 'GET',
          url: '/login',
          headers: { host: 'phish.example' },
          remoteAddress: '203.0.113.77',
        });
        const r = await real.inject({
          method: 'POST',
          url: '/__yojin/report',
          headers: { host: 'phish.example', 'content-type': 'application/x-www-form-urlencoded' },
          remoteAddress: '203.0.113.77',
          payload: form({
            token: tokenOf(page.body),
            lang: 'ja',
            to: '/login',
            reason: '自社のログインページです',
            contact: '03-1234-5678',
          }),
        });
        assert.equal(r.statusCode, 200);
        assert.match(r.body, /ご報告ありがとうございました/);
        const rows = await ctx.store.query<{
          value: string;
          reason: string;
          contact: string;
          lang: string;
          status: string;
          indicator_id: string | null;
        }>(
          `SELECT value, reason, contact, lang, status, indicator_id FROM fp_reports WHERE value = 'phish.example'`,
        );
        assert.equal(rows.rows.length, 1);
        assert.deepEqual(
          { ...rows.rows[0], indicator_id: rows.rows[0].indicator_id !== null },
          {
            value: 'phish.example',
            reason: '自社のログインページです',
            contact: '03-1234-5678',
            lang: 'ja',
            status: 'pending',
            indicator_id: true,
          },
        );
      } finally {
        await real.close();
      }
    });

    test('other methods get 405; HEAD of a continue link grants nothing', async () => {
      const put = await app.inject({ method: 'PUT', url: '/x', headers: { host: BAD } });
      assert.equal(put.statusCode, 405);
      assert.equal(put.headers.allow, 'GET, HEAD');
      const page = await get('/head-check', {}, '192.0.2.200');
      const head = await app.inject({
        method: 'HEAD',
        url: continueHref(page.body),
        headers: { host: BAD },
        remoteAddress: '192.0.2.200',
      });
      assert.equal(head.headers.location, undefined);
      assert.equal(table.isBypassed('192.0.2.200', BAD), false);
    });

    test('logs hold neither URLs with query strings nor client addresses', async () => {
      await get('/secret-path?session=abc123', {}, '192.0.2.99');
      assert.doesNotMatch(logged, /session=abc123|192\.0\.2\.99|203\.0\.113/);
    });

    test('walled garden: a walled subscriber visiting an unlisted host is sent to the removal help; others are not', async () => {
      const other = await get('/', { host: 'news.example' }, '192.0.2.77');
      assert.equal(other.statusCode, 200, 'nobody walled yet: the ordinary page');
      const auditBefore = await ctx.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'warning.walled-garden-lookup'`,
      );
      assert.equal(auditBefore.rows[0].n, 0, 'no subscriber lookup while no walled garden is active');
      await ctx.store.query(`INSERT INTO subscribers (id) VALUES ('sub-walled')`);
      await ctx.store.query(
        `INSERT INTO assignments (subscriber_id, prefix, during, kind) VALUES ('sub-walled', '192.0.2.77/32', tstzrange('2026-10-01', '2026-12-01'), 'static')`,
      );
      await putInWalledGarden(ctx.store, 'sub-walled', 'https://help.isp.example/self-service/');
      const walled = await get('/index.html', { host: 'news.example' }, '192.0.2.77');
      assert.equal(walled.statusCode, 302);
      assert.equal(walled.headers.location, 'https://help.isp.example/self-service/');
      const stranger = await get('/', { host: 'news.example' }, '192.0.2.10');
      assert.equal(stranger.statusCode, 200, 'another client is not redirected');
      const listed = await get('/', {}, '192.0.2.77');
      assert.equal(listed.statusCode, 403, 'a listed host still shows its warning');
      const audit = await ctx.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'warning.walled-garden-lookup' AND measure = 'walled-garden'`,
      );
      assert.equal(audit.rows[0].n, 2, 'each lookup of a visitor is audited under the measure');
    });
  });
}
