import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY_MS } from '../clock/index.js';
import { outboxStatus } from '../notify/index.js';
import { type SmtpSink, startSmtpSink } from '../notify/sink.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { addEvidence, addSubscriber } from './fixtures.js';
import {
  annotateCase,
  closeCase,
  getCase,
  holdCase,
  listCases,
  markFixed,
  previewNotice,
  releaseCase,
  runCycle,
  showCase,
} from './index.js';

let sink: SmtpSink;
before(async () => {
  sink = await startSmtpSink();
});
after(() => sink.close());

for (const backend of testBackends()) {
  describe(`cases on ${backend.name}`, () => {
    test('escalation: first notice, reminder, final notice, walled garden, resolved after quiet days', async () => {
      const ctx = await testContext(backend, {
        smtp: { url: sink.url, from: 'ISP Security <security@isp.example>' },
        cases: { walled_garden: true },
        measures: { 'walled-garden': { enabled: true } },
      });
      try {
        const day = (n: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + n * DAY_MS);
        await addSubscriber(ctx.store, 'S-esc', { email: 'esc@example.jp' }, 'en');
        await addEvidence(ctx.store, { subscriber: 'S-esc', seenAt: day(0), family: 'mirai' });
        // same address, family and day: deduplicated
        await addEvidence(ctx.store, {
          subscriber: 'S-esc',
          seenAt: new Date(day(0).getTime() + 3600_000),
          family: 'mirai',
        });
        ctx.clock.set(day(0));
        let rep = await runCycle(ctx);
        assert.equal(rep.evidence.opened, 1);
        assert.equal(rep.cases.notices, 1);
        assert.equal(rep.outbox.sent, 1);
        const [c] = await listCases(ctx.store, { subscriber: 'S-esc' });
        assert.equal(c.stage, 1);
        assert.equal(c.family, 'mirai');

        // evidence continues; after the observation week a reminder goes out
        await addEvidence(ctx.store, { subscriber: 'S-esc', seenAt: day(3), family: 'mirai' });
        ctx.clock.set(day(3));
        rep = await runCycle(ctx);
        assert.equal(rep.cases.notices, 0, 'no reminder inside the observation window');
        ctx.clock.set(day(7));
        rep = await runCycle(ctx);
        assert.equal(rep.cases.notices, 1);
        assert.equal((await getCase(ctx.store, c.id)).stage, 2);

        await addEvidence(ctx.store, { subscriber: 'S-esc', seenAt: day(9), family: 'mirai' });
        ctx.clock.set(day(14));
        await runCycle(ctx);
        assert.equal((await getCase(ctx.store, c.id)).stage, 3, 'final notice');

        await addEvidence(ctx.store, { subscriber: 'S-esc', seenAt: day(16), family: 'mirai' });
        ctx.clock.set(day(21));
        rep = await runCycle(ctx);
        assert.equal(rep.cases.walledGarden, 1);
        const wg = await ctx.store.query(`SELECT * FROM change_log WHERE entity = 'walled-garden'`);
        assert.equal(wg.rows.length, 1);
        assert.equal((wg.rows[0] as { entity_id: string }).entity_id, 'S-esc');

        // quiet for resolve_after_days (14) after the last evidence (day 16) → resolved, garden lifted
        ctx.clock.set(day(31));
        rep = await runCycle(ctx);
        assert.equal(rep.cases.resolved, 1);
        const done = await getCase(ctx.store, c.id);
        assert.equal(done.state, 'resolved');
        assert.equal(done.close_reason, 'no-evidence');
        const ops = await ctx.store.query<{ op: string }>(
          `SELECT op FROM change_log WHERE entity = 'walled-garden' ORDER BY serial`,
        );
        assert.deepEqual(
          ops.rows.map((r) => r.op),
          ['add', 'remove'],
        );

        const detail = await showCase(ctx, c.id, 'tester');
        assert.equal(detail.evidence.length, 5);
        assert.equal(detail.evidence.filter((e) => e.duplicate).length, 1);
        assert.deepEqual(
          detail.notices.map((n) => [n.stage, n.status]),
          [
            [1, 'sent'],
            [2, 'sent'],
            [3, 'sent'],
          ],
        );
        // every notice arrived once, with its idempotency key in the Message-ID
        for (const n of detail.notices) assert.equal(sink.messages.get(n.message_id!)?.count, 1);

        // every contact read for a notice went through the gate on the case's measure
        const audit = await ctx.store.query<{ measure: string; outcome: string }>(
          `SELECT measure, outcome FROM audit_log WHERE action = 'notice.prepare' AND subject = 'subscriber:S-esc'`,
        );
        assert.equal(audit.rows.length, 3);
        assert.ok(audit.rows.every((r) => r.measure === 'notify-infected' && r.outcome === 'allowed'));
      } finally {
        await ctx.dispose();
      }
    });

    test('no escalation without continued evidence; "I fixed it" watches, then resolves', async () => {
      const ctx = await testContext(backend, { smtp: { url: sink.url } });
      try {
        const t0 = Date.parse('2026-11-01T00:00:00Z');
        await addSubscriber(ctx.store, 'S-fix');
        await addEvidence(ctx.store, { subscriber: 'S-fix', seenAt: new Date(t0), family: 'emotet' });
        ctx.clock.set(new Date(t0));
        await runCycle(ctx);
        const [c] = await listCases(ctx.store, { subscriber: 'S-fix' });
        ctx.clock.set(new Date(t0 + 8 * DAY_MS));
        await runCycle(ctx);
        assert.equal(
          (await getCase(ctx.store, c.id)).stage,
          1,
          'no reminder: no evidence after the first notice',
        );

        await markFixed(ctx, c.id, 'subscriber:S-fix');
        assert.equal((await getCase(ctx.store, c.id)).state, 'watching');
        ctx.clock.set(new Date(t0 + 9 * DAY_MS));
        await runCycle(ctx);
        assert.equal((await getCase(ctx.store, c.id)).state, 'watching', 'watch window not over');
        ctx.clock.set(new Date(t0 + 11.5 * DAY_MS));
        await runCycle(ctx);
        const done = await getCase(ctx.store, c.id);
        assert.equal(done.state, 'resolved');
        assert.equal(done.close_reason, 'fixed');
      } finally {
        await ctx.dispose();
      }
    });

    test('"I fixed it" followed by evidence escalates; hold stops escalation; annotate and close', async () => {
      const ctx = await testContext(backend, { smtp: { url: sink.url } });
      try {
        const t0 = Date.parse('2026-11-01T00:00:00Z');
        await addSubscriber(ctx.store, 'S-hold');
        await addEvidence(ctx.store, { subscriber: 'S-hold', seenAt: new Date(t0) });
        ctx.clock.set(new Date(t0));
        await runCycle(ctx);
        const [c] = await listCases(ctx.store, { subscriber: 'S-hold' });
        ctx.clock.set(new Date(t0 + DAY_MS));
        await markFixed(ctx, c.id, 'subscriber:S-hold');
        await addEvidence(ctx.store, { subscriber: 'S-hold', seenAt: new Date(t0 + 2 * DAY_MS) });
        ctx.clock.set(new Date(t0 + 4.5 * DAY_MS));
        await runCycle(ctx);
        const again = await getCase(ctx.store, c.id);
        assert.equal(again.state, 'open');
        assert.equal(again.stage, 2, 'evidence after "I fixed it" → reminder');

        await holdCase(ctx, c.id, 'op1', 'customer called');
        await addEvidence(ctx.store, { subscriber: 'S-hold', seenAt: new Date(t0 + 5 * DAY_MS) });
        ctx.clock.set(new Date(t0 + 30 * DAY_MS));
        await runCycle(ctx);
        const held = await getCase(ctx.store, c.id);
        assert.equal(held.state, 'held');
        assert.equal(held.stage, 2, 'held: no final notice, no resolution');
        await annotateCase(ctx, c.id, 'op1', 'router replaced');
        await releaseCase(ctx, c.id, 'op1');
        const closed = await closeCase(ctx, c.id, 'op1', 'confirmed by phone');
        assert.equal(closed.state, 'closed');
        assert.equal(closed.notes.at(-1)?.text, 'router replaced');
        await assert.rejects(() => holdCase(ctx, c.id, 'op1'), /CASE_INVALID_STATE|only an open/);
        const acts = await ctx.store.query<{ action: string }>(
          `SELECT action FROM audit_log WHERE actor = 'op1' ORDER BY seq`,
        );
        assert.deepEqual(
          acts.rows.map((r) => r.action),
          ['case.hold', 'case.annotate', 'case.release', 'case.close'],
        );

        // new evidence after the close opens a new case
        await addEvidence(ctx.store, { subscriber: 'S-hold', seenAt: new Date(t0 + 31 * DAY_MS) });
        await runCycle(ctx);
        assert.equal((await listCases(ctx.store, { subscriber: 'S-hold' })).length, 2);
      } finally {
        await ctx.dispose();
      }
    });

    test('a batch of notices: one gate decision and audit record naming every case, subscriber and stage; enqueued with the case change', async () => {
      const ctx = await testContext(backend, { smtp: { url: sink.url } });
      try {
        const subs = ['S-b1', 'S-b2', 'S-b3', 'S-b4'];
        for (const [i, s] of subs.entries()) {
          // S-b4 has no e-mail: no notice, a note on the case instead
          await addSubscriber(
            ctx.store,
            s,
            s === 'S-b4' ? {} : { email: `${s}@example.jp` },
            i % 2 ? 'en' : 'ja',
          );
          await addEvidence(ctx.store, {
            subscriber: s,
            seenAt: ctx.clock.now(),
            family: 'mirai',
            addr: `192.0.2.${i + 10}`,
          });
        }
        const rep = await runCycle(ctx, { send: false });
        assert.equal(rep.evidence.opened, 4);
        assert.equal(rep.cases.notices, 3);
        const audit = await ctx.store.query<{
          subject: string;
          outcome: string;
          details: Record<string, unknown>;
        }>(`SELECT subject, outcome, details FROM audit_log WHERE action = 'notice.prepare' ORDER BY seq`);
        assert.equal(audit.rows.length, 1, 'one gate decision for the batch');
        const [a] = audit.rows;
        assert.equal(a.outcome, 'allowed');
        assert.equal(a.subject, 'cases:notify-infected');
        assert.deepEqual([...(a.details.subscribers as string[])].sort(), subs);
        const cases = await listCases(ctx.store);
        assert.deepEqual(
          [...(a.details.cases as number[])].sort((x, y) => x - y),
          cases.map((c) => Number(c.id)).sort((x, y) => x - y),
        );
        assert.deepEqual(a.details.stages, [1, 1, 1, 1]);
        assert.deepEqual(a.details.data, ['subscriber-contact', 'notification']);
        const n = await ctx.store.query<{
          case_id: string;
          stage: number;
          status: string;
          message_id: string;
        }>(`SELECT case_id, stage, status, message_id FROM notifications ORDER BY id`);
        assert.equal(n.rows.length, 3);
        assert.ok(
          n.rows.every(
            (r) =>
              r.stage === 1 &&
              r.status === 'pending' &&
              /^<yojin-case-\d+-stage-1-email\./.test(r.message_id),
          ),
        );
        for (const c of cases) assert.equal(c.stage, 1);
        const b4 = cases.find((c) => c.subscriber_id === 'S-b4')!;
        assert.match(JSON.stringify((await getCase(ctx.store, b4.id)).notes), /no contact channel reachable/);
        // the same texts as a single notice's preview (same render), the subscriber's language first
        const b2 = cases.find((c) => c.subscriber_id === 'S-b2')!;
        const p = await previewNotice(ctx, b2.id, 'op1', 1);
        const row = await ctx.store.query<{ payload: { subject: string; to: string } }>(
          'SELECT payload FROM notifications WHERE case_id = $1',
          [b2.id],
        );
        assert.equal(row.rows[0].payload.subject, p.subject);
        assert.equal(row.rows[0].payload.to, 'S-b2@example.jp');
      } finally {
        await ctx.dispose();
      }
    });

    test('preview renders both languages; a disabled measure opens nothing; a bounce at SMTP time is recorded', async () => {
      const ctx = await testContext(backend, { smtp: { url: sink.url } });
      try {
        await addSubscriber(ctx.store, 'S-prev', { email: 'bounce-me@example.jp' }, 'ja');
        sink.rejectRecipients.add('bounce-me@example.jp');
        await addEvidence(ctx.store, { subscriber: 'S-prev', seenAt: ctx.clock.now(), family: 'qbot' });
        const rep = await runCycle(ctx);
        assert.equal(rep.outbox.bounced, 1);
        const [c] = await listCases(ctx.store, { subscriber: 'S-prev' });
        const p = await previewNotice(ctx, c.id, 'op1', 2);
        assert.match(p.subject, /^【再通知】.*QakBot.*\/ \[Reminder\] .*QakBot/);
        assert.match(p.text, /EmoCheck|Malicious Software Removal Tool/);
        assert.match(p.text, /悪意のあるソフトウェアの削除ツール/);
        assert.match(p.text, /\/self-service\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
        const st = await outboxStatus(ctx);
        assert.equal(st.by_status.bounced, 1);
      } finally {
        sink.rejectRecipients.clear();
        await ctx.dispose();
      }
      const off = await testContext(backend, {
        smtp: { url: sink.url },
        measures: { 'notify-infected': { enabled: false } },
      });
      try {
        await addSubscriber(off.store, 'S-off');
        await addEvidence(off.store, { subscriber: 'S-off', seenAt: off.clock.now() });
        const rep = await runCycle(off);
        assert.equal(rep.evidence.opened, 0);
        assert.equal((await listCases(off.store)).length, 0);
      } finally {
        await off.dispose();
      }
    });
  });
}
