import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../testing/chromium.js';
import { REPO_ROOT } from '../testing/cli.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { BypassTable, buildWarningServer, type FalsePositiveInput } from './index.js';

test('real Chromium: the warning page in ja and en, report form and continue link', async (t) => {
  if (!existsSync(CHROMIUM)) return t.skip(`${CHROMIUM} is not installed`);
  const ctx = await testContext(testBackends()[0], {
    warning: { organisation_ja: '用心ネット', organisation_en: 'Yojin Net', contact_phone: '0120-000-000' },
  });
  const now = ctx.clock.now();
  await ctx.store.query(
    `INSERT INTO indicators (kind, value, category, scope, status, first_seen, last_seen)
     VALUES ('domain', 'bad.example', 'phishing', 'domain', 'active', $1, $1)`,
    [now],
  );
  const table = new BypassTable(ctx.clock);
  const reports: FalsePositiveInput[] = [];
  const app = await buildWarningServer(ctx, {
    bypasses: table,
    reportSink: async (_c, r) => void reports.push(r),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const profile = mkdtempSync(join(tmpdir(), 'yojin-chromium-'));
  const out = join(REPO_ROOT, 'test-output', 'warning');
  mkdirSync(out, { recursive: true });
  // The resolver rule plays the policy DNS resolver: bad.example answers with the warning listener.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'ja-JP',
    args: [...CHROMIUM_ARGS, '--no-proxy-server', `--host-resolver-rules=MAP bad.example 127.0.0.1:${port}`],
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto('http://bad.example/login?from=mail');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    assert.equal(await page.textContent('h1'), 'このサイトへのアクセスは危険です');
    assert.match((await page.textContent('main')) ?? '', /bad\.example[\s\S]*フィッシング/);
    await page.screenshot({ path: join(out, 'ja.png'), fullPage: true });

    await page.click('a[hreflang="en"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('h1'), 'This site may harm you');
    assert.match((await page.textContent('main')) ?? '', /http:\/\/bad\.example\/login\?from=mail/);
    await page.screenshot({ path: join(out, 'en.png'), fullPage: true });

    await page.fill('#reason', 'This is our own login page.');
    await page.click('button[type="submit"]');
    assert.equal(await page.textContent('h1'), 'Thank you for your report');
    assert.deepEqual(
      reports.map((r) => [r.value, r.lang]),
      [['bad.example', 'en']],
    );

    await page.click('text=Back to the warning page');
    await page.click('a.continue');
    // The continue lands on http://bad.example/login?from=mail, which this test's "resolver" still
    // maps to the warning page (as a device's DNS cache would): the page explains that, in the
    // browser's language again since the original URL carries no choice.
    await page.waitForURL('http://bad.example/login?from=mail');
    assert.equal(table.isBypassed('127.0.0.1', 'bad.example'), true);
    assert.match((await page.textContent('.note')) ?? '', /「危険を承知で進む」が選ばれています/);
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused/.test(p)),
      [],
    );
  } finally {
    await browser.close();
    await app.close();
    await ctx.dispose();
    rmSync(profile, { recursive: true, force: true });
  }
});
