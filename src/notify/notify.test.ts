import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addEvidence, addSubscriber } from '../cases/fixtures.js';
import { runCycle } from '../cases/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import {
  exportPostal,
  familyKey,
  findTemplate,
  listNotices,
  loadTemplates,
  parseDsn,
  recordBounce,
  render,
  sendDue,
  TEMPLATE_VARS,
} from './index.js';
import { startSmtpSink } from './sink.js';

const HERE = new URL('.', import.meta.url).pathname;

describe('templates', () => {
  test('every measure template exists in Japanese and English and uses only known variables', () => {
    const all = loadTemplates();
    for (const name of all.keys()) {
      const [measure, family] = name.split('.');
      for (const lang of ['ja', 'en'] as const)
        assert.ok(all.has(`${measure}.${family}.${lang}`), `${measure}.${family}.${lang} missing`);
    }
    for (const m of ['notify-infected', 'notify-vulnerable', 'notify-site-owner'])
      for (const lang of ['ja', 'en'] as const) assert.ok(all.has(`${m}.default.${lang}`));
    for (const f of ['mirai', 'emotet', 'qakbot']) assert.ok(all.has(`notify-infected.${f}.ja`));
  });

  test('family variants pick the family template; unknown families the default', () => {
    assert.equal(familyKey('Mirai-Satori'), 'mirai');
    assert.equal(familyKey('qbot'), 'qakbot');
    assert.equal(findTemplate('notify-infected', 'emotet', 'en').name, 'notify-infected.emotet.en');
    assert.equal(findTemplate('notify-infected', 'zloader', 'ja').name, 'notify-infected.default.ja');
  });

  test('removal steps in both languages; values substituted as data, not as template or headers', () => {
    const vars = {
      case_id: '7',
      family: 'mirai {{link}}\r\nBcc: x@evil.example',
      link: 'https://isp.example/self-service/t',
      link_expires: '2026-12-01',
    };
    const ja = render(findTemplate('notify-infected', 'mirai', 'ja'), vars, 'ja');
    const en = render(findTemplate('notify-infected', 'mirai', 'en'), vars, 'en');
    assert.match(ja.text, /再起動/);
    assert.match(ja.text, /ファームウェア/);
    assert.match(en.text, /Restart \(power off and on\)/);
    assert.match(en.text, /https:\/\/isp\.example\/self-service\/t/);
    assert.ok(!en.subject.includes('\n'));
    assert.ok(en.text.includes('mirai {{link}}'), 'a value is never expanded again');
    const emotet = render(findTemplate('notify-infected', 'emotet', 'ja'), vars, 'ja');
    assert.match(emotet.text, /EmoCheck/);
    assert.equal(TEMPLATE_VARS.includes('link'), true);
  });

  test('an unknown variable in a template is refused at load', () => {
    const dir = join(tmpdir(), `yojin-tpl-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'x.default.ja.txt'), 'Subject: {{case_id}}\n---\n{{password}}\n');
    assert.throws(() => loadTemplates(dir), /unknown variable \{\{password\}\}/);
    rmSync(dir, { recursive: true, force: true });
    loadTemplates(); // restore the cache of the real templates
  });

  test('DSN: the bounced Message-ID and the status are read from a real RFC 3464 report', () => {
    const dsn = parseDsn(readFileSync(join(HERE, 'fixtures', 'bounce.eml'), 'utf8'));
    assert.equal(dsn.isBounce, true);
    assert.equal(dsn.messageId, '<yojin-case-1-stage-1-email.abc123@isp.example>');
    assert.equal(dsn.status, '5.1.1');
    assert.equal(dsn.recipient, 'gone@example.jp');
  });
});

for (const backend of testBackends()) {
  describe(`outbox on ${backend.name}`, () => {
    test('webhook: signed JSON the receiver verifies; retry with backoff after a 503; then sent once', async () => {
      const secret = 'crm-shared-secret';
      const received: Array<{ id: string; body: Record<string, unknown> }> = [];
      let failNext = true;
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          const ts = String(req.headers['x-yojin-timestamp']);
          const sig = String(req.headers['x-yojin-signature']);
          const want = `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
          if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) {
            res.writeHead(401).end();
            return;
          }
          if (failNext) {
            failNext = false;
            res.writeHead(503).end();
            return;
          }
          received.push({ id: String(req.headers['x-yojin-id']), body: JSON.parse(body) });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      const ctx = await testContext(backend, {
        cases: { channels: ['webhook'] },
        notify: { webhook_url: `http://127.0.0.1:${port}/hook`, webhook_secret: secret, backoff_seconds: 60 },
      });
      try {
        await addSubscriber(ctx.store, 'S-hook', { email: 'h@example.jp' }, 'en');
        await addEvidence(ctx.store, { subscriber: 'S-hook', seenAt: ctx.clock.now(), family: 'emotet' });
        const rep = await runCycle(ctx);
        assert.equal(rep.outbox.retried, 1);
        let [n] = await listNotices(ctx.store);
        assert.equal(n.status, 'pending');
        assert.equal(n.attempts, 1);
        assert.equal(new Date(n.next_attempt_at).getTime() - ctx.clock.now().getTime(), 60_000);
        ctx.clock.advance(30_000);
        assert.equal((await sendDue(ctx)).claimed, 0, 'not due before the backoff');
        ctx.clock.advance(31_000);
        assert.equal((await sendDue(ctx)).sent, 1);
        [n] = await listNotices(ctx.store);
        assert.equal(n.status, 'sent');
        assert.equal(received.length, 1);
        assert.equal(received[0].body.id, received[0].id);
        assert.equal(received[0].body.type, 'yojin.notice');
        assert.equal(received[0].body.subscriber_id, 'S-hook');
        assert.match(String(received[0].body.text), /EmoCheck/);
        assert.equal((await sendDue(ctx)).claimed, 0, 'nothing sent twice');
      } finally {
        server.close();
        await ctx.dispose();
      }
    });

    test('postal CSV export marks notices sent; a bounce by Message-ID is recorded and audited', async () => {
      const sink = await startSmtpSink();
      const ctx = await testContext(backend, {
        smtp: { url: sink.url, from: 'sec@isp.example' },
        cases: { channels: ['email', 'postal'] },
      });
      const out = join(tmpdir(), `yojin-postal-${process.pid}-${backend.name}.csv`);
      try {
        await addSubscriber(ctx.store, 'S-post', {
          email: 'p@example.jp',
          postal: '〒100-0001 東京都千代田区千代田1-1',
          name: '山田 太郎',
        });
        await addEvidence(ctx.store, { subscriber: 'S-post', seenAt: ctx.clock.now(), family: 'mirai' });
        const rep = await runCycle(ctx);
        assert.equal(rep.outbox.sent, 1, 'e-mail sent; postal waits for export');
        const r = await exportPostal(ctx, out, 'tester');
        assert.equal(r.exported, 1);
        const csv = readFileSync(out, 'utf8');
        assert.match(
          csv,
          /^\uFEFFidempotency_key,case_id,stage,language,name,postal_address,subject,text\r\n/,
        );
        assert.match(csv, /yojin-case-\d+-stage-1-postal,\d+,1,ja,山田 太郎,〒100-0001/);
        assert.equal((await exportPostal(ctx, out, 'tester')).exported, 0, 'exported once');
        const email = (await listNotices(ctx.store, { channel: 'email' }))[0];
        assert.ok(sink.messages.has(email.message_id!));
        const b = await recordBounce(ctx, email.message_id!, '5.1.1 user unknown', 'tester');
        assert.equal(b.status, 'bounced');
        const a = await ctx.store.query(`SELECT 1 FROM audit_log WHERE action = 'notice.bounce'`);
        assert.equal(a.rows.length, 1);
        await assert.rejects(() => recordBounce(ctx, '<nope@x>', 'x', 'tester'), /no notice/);
      } finally {
        rmSync(out, { force: true });
        await sink.close();
        await ctx.dispose();
      }
    });
  });
}
