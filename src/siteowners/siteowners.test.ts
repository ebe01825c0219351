import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCycle } from '../cases/index.js';
import { listNotices } from '../notify/index.js';
import { type SmtpSink, startSmtpSink } from '../notify/sink.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { abuseEmails, emailContact, parseSecurityTxt } from './index.js';

const FIX = join(new URL('.', import.meta.url).pathname, 'fixtures');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');

describe('security.txt and RDAP parsing', () => {
  const now = new Date('2026-11-01T00:00:00Z');
  test('a signed RFC 9116 file: contacts, expiry, preferred languages', () => {
    const st = parseSecurityTxt(fixture('security.txt'), now);
    assert.equal(st.valid, true, st.problems.join('; '));
    assert.deepEqual(st.languages, ['ja', 'en']);
    assert.equal(emailContact(st.contacts), 'security@shop.example.test');
  });
  test('an expired file or one without Expires is not valid', () => {
    assert.match(parseSecurityTxt(fixture('expired-security.txt'), now).problems.join(), /expired/);
    assert.match(parseSecurityTxt('Contact: mailto:a@b.test\n', now).problems.join(), /no Expires/);
    assert.match(parseSecurityTxt('Expires: 2030-01-01T00:00:00Z\n', now).problems.join(), /no Contact/);
  });
  test('RDAP: the abuse e-mail from a nested registrar entity (RFC 9083)', () => {
    assert.deepEqual(abuseEmails(JSON.parse(fixture('rdap-domain.json'))), ['abuse@registrar.example']);
  });
});

let sink: SmtpSink;
let site: Server;
let rdap: Server;
let sitePort = 0;
let rdapPort = 0;
const gone = new Set<string>();
const rdapAsked: string[] = [];

before(async () => {
  sink = await startSmtpSink();
  // One local web server plays every site: it answers by Host header.
  site = createServer((req, res) => {
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const path = req.url ?? '/';
    if (host === 'shop.example.test' && path === '/.well-known/security.txt')
      return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(fixture('security.txt'));
    if (host === 'old.example.test' && path === '/security.txt')
      return res.writeHead(200, { 'content-type': 'text/plain' }).end(fixture('expired-security.txt'));
    if (path.startsWith('/wp-content/') && !gone.has(`${host}${path}`))
      return res.writeHead(200, { 'content-type': 'application/javascript' }).end('/* injected */');
    res.writeHead(404).end();
  });
  rdap = createServer((req, res) => {
    rdapAsked.push(req.url ?? '');
    if (req.url === '/rdap/domain/example.test')
      return res.writeHead(200, { 'content-type': 'application/rdap+json' }).end(fixture('rdap-domain.json'));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => rdap.listen(0, '127.0.0.1', () => r()));
  sitePort = (site.address() as { port: number }).port;
  rdapPort = (rdap.address() as { port: number }).port;
});
after(async () => {
  await sink.close();
  site.close();
  rdap.close();
});

for (const backend of testBackends()) {
  describe(`site owners on ${backend.name}`, () => {
    test('security.txt contact, else RDAP abuse; X-ARF report through the outbox; re-check delists when gone', async () => {
      const ctx = await testContext(backend, {
        smtp: { url: sink.url, from: 'ISP CERT <cert@isp.example>' },
        siteowners: {
          scheme: 'http',
          http_port: sitePort,
          connect_to: '127.0.0.1',
          rdap_base_urls: { test: `http://127.0.0.1:${rdapPort}/rdap/` },
          rdap_default_url: `http://127.0.0.1:${rdapPort}/none/`,
          recheck_hours: 24,
        },
      });
      gone.clear();
      try {
        const add = (url: string, scope = 'url') =>
          ctx.store.query(
            `INSERT INTO indicators (kind, value, category, scope, first_seen, last_seen, confidence)
             VALUES ('url', $1, 'malware', $2, $3, $3, 0.9)`,
            [url, scope, ctx.clock.now()],
          );
        const shopUrl = `http://shop.example.test:${sitePort}/wp-content/plugins/x/evil.js`;
        const oldUrl = `http://old.example.test:${sitePort}/wp-content/uploads/dropper.php`;
        await add(shopUrl);
        await add(oldUrl);
        await add(`http://192.0.2.1:${sitePort}/wp-content/bad.exe`); // IP host: not a "legitimate site"
        await add(`http://evil-domain.test/`, 'host'); // listed as a whole host: no owner notice
        const rep = await runCycle(ctx);
        assert.deepEqual(
          {
            opened: (rep.sites as { opened: number }).opened,
            reported: (rep.sites as { reported: number }).reported,
          },
          { opened: 2, reported: 2 },
        );
        const sites = await ctx.store.query<{ host: string; contact: string; contact_source: string }>(
          'SELECT host, contact, contact_source FROM site_reports ORDER BY host',
        );
        assert.deepEqual(
          sites.rows.map((r) => [r.host, r.contact]),
          [
            ['old.example.test', 'abuse@registrar.example'], // its security.txt expired → RDAP
            ['shop.example.test', 'security@shop.example.test'],
          ],
        );
        assert.match(sites.rows[1].contact_source, /\/\.well-known\/security\.txt$/);
        assert.ok(rdapAsked.includes('/rdap/domain/example.test'));

        const ours = new Set((await listNotices(ctx.store)).map((n) => n.message_id));
        const mails = [...sink.messages.values()].filter(
          (m) => ours.has(m.messageId) && m.to.includes('security@shop.example.test'),
        );
        assert.equal(mails.length, 1);
        const raw = mails[0].raw;
        assert.match(raw, /^X-ARF: YES/im);
        assert.match(raw, /^Auto-Submitted: auto-generated/im);
        assert.match(raw, /multipart\/mixed/);
        assert.match(raw, /filename=report\.txt/);
        assert.match(raw, /filename=evidence\.json/);
        const yamlPart = Buffer.from(
          /filename=report\.txt\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(raw)?.[1] ?? '',
          'base64',
        ).toString('utf8');
        const body = yamlPart || raw;
        assert.match(body, /Report-Type: malware-attack/);
        assert.match(body, /Source-Type: uri/);
        assert.match(body, new RegExp(`Source: ${shopUrl.replace(/[.?*+^$[\]\\(){}|/-]/g, '\\$&')}`));

        // re-check before the URL is gone: still listed
        ctx.clock.advance(25 * 3600_000);
        let r2 = await runCycle(ctx);
        assert.equal((r2.sites as { delisted: number }).delisted, 0);
        gone.add(`shop.example.test${new URL(shopUrl).pathname}`);
        ctx.clock.advance(25 * 3600_000);
        r2 = await runCycle(ctx);
        assert.equal((r2.sites as { delisted: number }).delisted, 1);
        const ind = await ctx.store.query<{ status: string }>(
          'SELECT status FROM indicators WHERE value = $1',
          [shopUrl],
        );
        assert.equal(ind.rows[0].status, 'delisted');
        const cl = await ctx.store.query(
          `SELECT 1 FROM change_log WHERE entity = 'indicator' AND op = 'remove'`,
        );
        assert.ok(cl.rows.length >= 1);
        const cs = await ctx.store.query<{ state: string; close_reason: string }>(
          `SELECT state, close_reason FROM cases WHERE site = 'shop.example.test'`,
        );
        assert.deepEqual(cs.rows[0], { state: 'resolved', close_reason: 'clean' });
        assert.equal((await listNotices(ctx.store)).filter((n) => n.status === 'sent').length, 2);
        const audit = await ctx.store.query<{ n: string }>(
          `SELECT count(*) AS n FROM audit_log WHERE measure = 'notify-site-owner' AND action = 'site.contact-lookup'`,
        );
        assert.equal(Number(audit.rows[0].n), 2);
      } finally {
        await ctx.dispose();
      }
    });
  });
}
