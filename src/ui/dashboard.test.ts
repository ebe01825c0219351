import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApi } from '../api/index.js';
import { addUser, createToken } from '../auth/index.js';
import { addEvidence, addSubscriber } from '../cases/fixtures.js';
import { listCases, runCycle } from '../cases/index.js';
import { DAY_MS } from '../clock/index.js';
import { type SmtpSink, startSmtpSink } from '../notify/sink.js';
import { monthlyReport, recordActivity, rollupFromStore } from '../reports/index.js';
import { getIndicator, listIndicators, reportFalsePositive } from '../reputation/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../testing/chromium.js';
import { REPO_ROOT } from '../testing/cli.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { UI_DIR } from './routes.js';

/*
 * End-to-end: the built dashboard in real headless Chromium against yojin's API on loopback.
 * One browser and one seeded store for the whole file (PGlite: the storage paths are covered by the
 * capabilities' own tests on both backends); screenshots go to test-output/ui/.
 */
const FIX = join(import.meta.dirname, 'fixtures');
const SHOTS = join(REPO_ROOT, 'test-output', 'ui');
const SCREENS = [
  'overview',
  'indicators',
  'sources',
  'cases',
  'sharing',
  'audit',
  'settings',
  'reports',
] as const;
const TITLES: Record<string, { ja: string; en: string }> = {
  overview: { ja: '概要', en: 'Overview' },
  indicators: { ja: 'リスト', en: 'Listings' },
  sources: { ja: '情報源', en: 'Sources' },
  cases: { ja: '事案と通知', en: 'Cases and notices' },
  sharing: { ja: '共有', en: 'Sharing' },
  audit: { ja: '監査ログ', en: 'Audit log' },
  settings: { ja: '設定', en: 'Settings' },
  reports: { ja: '月次報告', en: 'Monthly report' },
};
const PASSWORD = 'correct horse battery staple';

describe('operators dashboard in headless Chromium', () => {
  let ctx: Awaited<ReturnType<typeof testContext>>;
  let app: FastifyInstance;
  let sink: SmtpSink;
  let browser: Browser;
  let base: string;
  let auditorToken: string;
  let analystToken: string;
  let fpIndicator: number;
  let caseId: number;

  before(async () => {
    if (!existsSync(join(UI_DIR, 'index.html'))) {
      // `npm test` builds it; a single-folder run may not have.
      execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build'], {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      });
    }
    mkdirSync(SHOTS, { recursive: true });
    sink = await startSmtpSink();
    ctx = await testContext(testBackends()[0], {
      smtp: { url: sink.url, from: 'ISP Security <security@isp.example>' },
    });
    ctx.clock.set(new Date('2026-11-20T03:00:00Z'));
    app = await buildApi(ctx);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    await addUser(ctx.store, 'desk-admin', 'admin', PASSWORD, 'ja');
    auditorToken = (await createToken(ctx.store, 'auditor-1', 'auditor')).token;
    analystToken = (await createToken(ctx.store, 'analyst-1', 'analyst')).token;
    const admin = (await createToken(ctx.store, 'seed', 'admin')).token;
    for (const [format, file] of [
      ['urlhaus-csv', 'urlhaus.csv'],
      ['openphish-txt', 'openphish.txt'],
    ]) {
      const r = await app.inject({
        method: 'POST',
        url: `/api/v1/import?format=${format}&source=${format.split('-')[0]}`,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
        payload: readFileSync(join(FIX, file)),
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    const fp = await reportFalsePositive(ctx, {
      value: 'https://wrongly-listed.example/login',
      reason: '自社のログインページです',
    });
    assert.ok(fp.report.indicator_id, 'the report is tied to the listing');
    fpIndicator = Number(fp.report.indicator_id);

    // two infected subscribers; the case cycle opens a case each and sends the first notice
    await addSubscriber(ctx.store, 'S-1001', { email: 's1001@example.jp', name: '山田 太郎' }, 'ja');
    await addSubscriber(ctx.store, 'S-1002', { email: 's1002@example.jp' }, 'en');
    await addEvidence(ctx.store, {
      subscriber: 'S-1001',
      seenAt: new Date(Date.parse('2026-11-19T10:00:00Z')),
      family: 'mirai',
    });
    await addEvidence(ctx.store, {
      subscriber: 'S-1002',
      seenAt: new Date(Date.parse('2026-11-19T12:00:00Z')),
      family: 'emotet',
    });
    await runCycle(ctx);
    caseId = (await listCases(ctx.store, { subscriber: 'S-1001' }))[0].id;

    // DNS-side figures are counted by the DNS server; here a few days of them over two months
    for (let d = 0; d < 50; d++) {
      const day = new Date(Date.parse('2026-10-01T00:00:00Z') + d * DAY_MS);
      await recordActivity(ctx.store, day, 'warnings-shown', 40 + ((d * 7) % 23), {
        measure: 'warn-malicious-site',
        category: 'phishing',
      });
      await recordActivity(ctx.store, day, 'c2-blocked', 5 + (d % 6), {
        measure: 'block-c2',
        family: d % 2 ? 'mirai' : 'emotet',
        category: 'c2',
      });
    }
    await rollupFromStore(ctx.store, new Date('2026-06-01T00:00:00Z'));

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await ctx?.dispose();
    await sink?.close();
  });

  async function newPage(): Promise<{ page: Page; bctx: BrowserContext }> {
    const bctx = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
    });
    const page = await bctx.newPage();
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
    return { page, bctx };
  }

  async function signInWithPassword(page: Page) {
    await page.goto(`${base}/`);
    await page.getByLabel('ユーザー名').fill('desk-admin');
    await page.getByLabel('パスワード').fill(PASSWORD);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.getByTestId('who').waitFor();
  }

  async function signInWithToken(page: Page, token: string) {
    await page.goto(`${base}/ui/`);
    await page.getByRole('button', { name: 'API トークン' }).click();
    await page.getByLabel('API トークン').fill(token);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.getByTestId('who').waitFor();
  }

  async function open(page: Page, screen: string, lang: 'ja' | 'en') {
    await page.getByRole('navigation').getByRole('link', { name: TITLES[screen][lang], exact: true }).click();
    await page.getByRole('heading', { level: 1, name: TITLES[screen][lang] }).waitFor();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    // the overview's listing counts load after the report; wait for them before a screenshot
    if (screen === 'overview') await page.waitForLoadState('networkidle');
  }

  test('a wrong password shows the API message; a real one signs in; sign-out forgets the token', async () => {
    const { page, bctx } = await newPage();
    try {
      await page.goto(`${base}/`);
      assert.match(page.url(), /\/ui\/overview$/);
      await page.screenshot({ path: join(SHOTS, 'signin-ja.png') });
      await page.getByLabel('ユーザー名').fill('desk-admin');
      await page.getByLabel('パスワード').fill('not the password at all');
      await page.getByRole('button', { name: 'サインイン' }).click();
      const err = page.getByRole('alert');
      await err.waitFor();
      assert.match(await err.innerText(), /AUTH_/);
      await page.getByLabel('パスワード').fill(PASSWORD);
      await page.getByRole('button', { name: 'サインイン' }).click();
      assert.equal(await page.getByTestId('who').innerText(), 'desk-admin');
      const stored = await page.evaluate<string | null>('sessionStorage.getItem("yojin.session")');
      assert.ok(stored && JSON.parse(stored).token, 'the token is kept in sessionStorage');
      await page.getByRole('button', { name: 'サインアウト' }).click();
      await page.getByRole('button', { name: 'サインイン' }).waitFor();
      assert.equal(await page.evaluate<string | null>('sessionStorage.getItem("yojin.session")'), null);
    } finally {
      await bctx.close();
    }
  });

  test('admin opens every screen in Japanese and English (screenshots); the choice is remembered', async () => {
    const { page, bctx } = await newPage();
    try {
      await signInWithPassword(page);
      // keyboard: the first Tab reaches the skip link, Enter moves focus to the content
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate<string>('document.activeElement.textContent'), '本文へ移動');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate<string>('document.activeElement.id'), 'main');
      for (const lang of ['ja', 'en'] as const) {
        await page
          .getByRole('button', { name: lang === 'ja' ? '日本語' : 'English' })
          .first()
          .click();
        assert.equal(await page.evaluate('document.documentElement.lang'), lang);
        for (const screen of SCREENS) {
          await open(page, screen, lang);
          assert.equal(await page.locator('.error').count(), 0, `${screen} (${lang}) shows no error`);
          await page.screenshot({ path: join(SHOTS, `${screen}-${lang}.png`), fullPage: true });
        }
      }
      // the overview shows this month's figures from the rollups
      await open(page, 'overview', 'en');
      const figures = (await monthlyReport(ctx.store, '2026-11')).totals;
      for (const m of ['subscribers-notified', 'cases-opened', 'warnings-shown', 'c2-blocked'])
        assert.equal(
          await page.getByTestId(`stat-${m}`).locator('.stat-value').innerText(),
          figures[m].toLocaleString('en-GB'),
          m,
        );
      assert.equal(figures['subscribers-notified'], 2);
      assert.ok((await page.locator('.uplot').count()) >= 2, 'the trend and daily charts are drawn');
      await page.reload();
      await page.getByTestId('who').waitFor();
      assert.equal(
        await page.getByRole('heading', { level: 1 }).innerText(),
        'Overview',
        'English is remembered',
      );
      await page.getByRole('button', { name: '日本語' }).click();
    } finally {
      await bctx.close();
    }
  });

  test('analyst accepts a false-positive report: the listing is delisted; manual listing imports', async () => {
    const { page, bctx } = await newPage();
    try {
      await signInWithToken(page, analystToken);
      await open(page, 'indicators', 'ja');
      const reportId = (await ctx.store.query<{ id: string }>('SELECT id FROM fp_reports')).rows[0].id;
      await page.getByLabel(`メモ #${reportId}`).fill('顧客の正規サイト');
      await page.getByTestId(`accept-${reportId}`).click();
      await page.getByRole('status').filter({ hasText: '完了しました' }).waitFor();
      // the queue re-renders after the status message: wait for the report to leave it (a timeout fails)
      await page.getByTestId(`accept-${reportId}`).waitFor({ state: 'detached' });
      const listing = await getIndicator(ctx.store, fpIndicator);
      assert.equal(listing.status, 'delisted');

      // search shows it delisted, with its history
      await page.locator('input[name="q"]').fill('wrongly-listed');
      await page.getByRole('button', { name: '検索', exact: true }).click();
      await page.getByRole('button', { name: listing.value, exact: true }).click();
      await page.getByTestId('indicator-detail').waitFor();
      assert.equal(await page.getByTestId('indicator-status').innerText(), 'delisted');
      assert.notEqual(await page.getByTestId('scope-reason').innerText(), '');
      await page.screenshot({ path: join(SHOTS, 'indicator-detail-ja.png'), fullPage: true });

      await page.getByLabel('値', { exact: true }).last().fill('manual-listed.example');
      await page.getByRole('button', { name: '登録' }).click();
      await page.getByRole('status').filter({ hasText: '完了しました' }).last().waitFor();
      const found = await listIndicators(ctx.store, { q: 'manual-listed.example' });
      assert.equal(found.total, 1);
      assert.deepEqual(found.items[0].sources, ['analyst']);
    } finally {
      await bctx.close();
    }
  });

  test('operator opens a case after the audit warning and closes it; the access is audited', async () => {
    const { page, bctx } = await newPage();
    try {
      await signInWithPassword(page);
      await page.getByRole('button', { name: 'English' }).first().click();
      await open(page, 'cases', 'en');
      await page.getByTestId(`open-case-${caseId}`).click();
      const warning = page.getByTestId('audit-warning');
      assert.match(await warning.innerText(), /recorded in the audit log/);
      const before = Number(
        (await ctx.store.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0].n,
      );
      await page.getByRole('button', { name: 'Record the access and open' }).click();
      await page.getByTestId('case-state').waitFor();
      assert.equal(await page.getByTestId('case-state').innerText(), 'open');
      const after = Number(
        (await ctx.store.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0].n,
      );
      assert.ok(after > before, 'opening the case wrote an audit record');
      await page.screenshot({ path: join(SHOTS, 'case-detail-en.png'), fullPage: true });
      await page.getByLabel('Reason').fill('subscriber confirmed cleaned');
      await page.getByRole('button', { name: 'Close case' }).click();
      await page.getByTestId('case-state').filter({ hasText: 'closed' }).waitFor();
      assert.equal((await listCases(ctx.store, { subscriber: 'S-1001' }))[0].state, 'closed');

      // the notice template in both languages
      await open(page, 'settings', 'en');
      await page
        .getByLabel('Case number')
        .fill(String((await listCases(ctx.store, { subscriber: 'S-1002' }))[0].id));
      await page.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByTestId('preview');
      await preview.waitFor();
      assert.equal(await preview.locator('article[lang="ja"]').count(), 1);
      assert.equal(await preview.locator('article[lang="en"]').count(), 1);
      await page.screenshot({ path: join(SHOTS, 'settings-preview-en.png'), fullPage: true });

      // the monthly CSV comes with the token
      await open(page, 'reports', 'en');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
      const csv = readFileSync((await download.path())!, 'utf8');
      assert.match(csv, /subscribers-notified/);
    } finally {
      await bctx.close();
    }
  });

  test('auditor: read-only screens, no actions, sharing hidden; verifying the chain works', async () => {
    const { page, bctx } = await newPage();
    try {
      await signInWithToken(page, auditorToken);
      await open(page, 'indicators', 'ja');
      assert.equal(await page.getByRole('button', { name: '受理（掲載解除）' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: '登録' }).count(), 0);
      await open(page, 'sources', 'ja');
      assert.equal(await page.getByRole('button', { name: '無効にする' }).count(), 0);
      await page.getByRole('navigation').getByRole('link', { name: '共有', exact: true }).click();
      assert.match(await page.getByRole('alert').innerText(), /このロールでは表示できません/);
      await open(page, 'audit', 'ja');
      await page.getByTestId('verify').click();
      assert.match(await page.getByTestId('verify-result').innerText(), /チェーンは正常です/);
      await page.screenshot({ path: join(SHOTS, 'audit-verify-ja.png'), fullPage: true });
      await open(page, 'settings', 'ja');
      assert.match(await page.locator('main').innerText(), /閲覧のみ/);

      // if the page believed the role could act, the API still refuses and the page shows why
      await page.evaluate(`(() => {
        const s = JSON.parse(sessionStorage.getItem('yojin.session'));
        sessionStorage.setItem('yojin.session', JSON.stringify({ ...s, role: 'admin' }));
      })()`);
      await page.reload();
      await open(page, 'indicators', 'ja');
      const allow = page.locator('section[aria-labelledby="allow"]');
      await allow.getByLabel('値').fill('example.org');
      await allow.getByLabel('理由').fill('テスト');
      await allow.getByRole('button', { name: '追加' }).click();
      const refused = allow.getByRole('alert');
      await refused.waitFor();
      assert.match(await refused.innerText(), /この操作はあなたのロールでは行えません/);
      assert.match(await refused.innerText(), /AUTH_FORBIDDEN/);
      assert.equal(
        (await ctx.store.query("SELECT count(*)::int AS n FROM allowlist WHERE value LIKE '%example.org%'"))
          .rows[0].n,
        0,
      );
    } finally {
      await bctx.close();
    }
  });
});
