import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import type { Store } from '../store/index.js';
import { testBackends } from '../testing/stores.js';
import {
  AUDIT_WORKER_MIN,
  appendAudit,
  appendAuditBatch,
  listAudit,
  startAuditWorker,
  verifyAudit,
} from './index.js';

for (const backend of testBackends()) {
  describe(`audit log: ${backend.name}`, () => {
    let store: Store & { dispose(): Promise<void> };
    const clock = new ManualClock('2026-11-01T00:00:00Z');
    before(async () => {
      store = await backend.open();
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        await appendAudit(
          store,
          {
            actor: 'test',
            action: 'subscriber.view',
            outcome: 'allowed',
            measure: 'notify-infected',
            legalBasis: 'emergency-evacuation',
            subject: `subscriber:S${i}`,
            details: { i, nested: { z: 1, a: [1, 2] } },
          },
          clock,
        );
      }
    });
    after(() => store.dispose());

    test('an untouched chain verifies', async () => {
      assert.deepEqual(await verifyAudit(store), { ok: true, checked: 5 });
    });

    test('records are listed newest first with filters', async () => {
      const recs = await listAudit(store, { subject: 'subscriber:S3' });
      assert.equal(recs.length, 1);
      assert.equal(recs[0].seq, 4);
      assert.equal((await listAudit(store, { limit: 2 })).map((r) => r.seq).join(), '5,4');
    });

    test('concurrent appends keep one unbroken chain', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          appendAudit(store, { actor: 'c', action: 'x', outcome: 'done', details: { i } }, clock),
        ),
      );
      assert.deepEqual(await verifyAudit(store), { ok: true, checked: 25 });
    });

    test('a batch append chains exactly like single appends', async () => {
      const n = await store.transaction((tx) =>
        appendAuditBatch(
          tx,
          [1, 2, 3].map((i) => ({
            actor: 'batch',
            action: 'attribution.match',
            outcome: 'done' as const,
            subject: `subscriber:B${i}`,
          })),
          clock,
        ),
      );
      assert.equal(n, 3);
      await appendAudit(store, { actor: 'single', action: 'x', outcome: 'done' }, clock);
      assert.deepEqual(await verifyAudit(store), { ok: true, checked: 29 });
    });

    test('a large batch is hashed in a worker thread: same chain, details stored as given', async () => {
      const events = Array.from({ length: AUDIT_WORKER_MIN + 7 }, (_, i) => ({
        actor: 'batch',
        action: 'attribution.match',
        outcome: 'done' as const,
        subject: `subscriber:W${i}`,
        details: {
          evidence: [i, i + 1],
          note: i % 1000 === 0 ? 'quote " comma , newline \n 日本語' : undefined,
        },
      }));
      const n = await store.transaction((tx) => appendAuditBatch(tx, events, clock));
      assert.equal(n, events.length);
      assert.deepEqual(await verifyAudit(store), { ok: true, checked: 29 + events.length });
      const [first] = await listAudit(store, { subject: 'subscriber:W0' });
      assert.deepEqual(first.details, { evidence: [0, 1], note: 'quote " comma , newline \n 日本語' });
      const [last] = await listAudit(store, { limit: 1 });
      assert.equal(last.subject, `subscriber:W${events.length - 1}`);
      assert.deepEqual(last.details, { evidence: [events.length - 1, events.length] });
    });

    test('a worker started ahead takes a small batch too; one that cannot get its batch, or has ended, rolls back', async () => {
      const worker = startAuditWorker();
      const small = [1, 2].map((i) => ({
        actor: 'ahead',
        action: 'x',
        outcome: 'done' as const,
        details: { i },
      }));
      await store.transaction((tx) => appendAuditBatch(tx, small, clock, { worker }));
      const before = (await listAudit(store, { limit: 1 }))[0].seq;
      // A function cannot be copied to the worker thread: the append fails inside the transaction.
      const bad = [{ actor: 'bad', action: 'x', outcome: 'done' as const, details: { f: () => 1 } }];
      await assert.rejects(
        store.transaction((tx) => appendAuditBatch(tx, bad, clock, { worker: startAuditWorker() })),
        /could not be cloned/,
      );
      assert.equal((await listAudit(store, { limit: 1 }))[0].seq, before);
      // A worker that ended before its batch came fails the append instead of waiting forever.
      const dead = startAuditWorker();
      await dead.close();
      await assert.rejects(
        store.transaction((tx) => appendAuditBatch(tx, small, clock, { worker: dead })),
        /audit worker exited/,
      );
      assert.equal((await listAudit(store, { limit: 1 }))[0].seq, before);
      assert.equal((await verifyAudit(store)).ok, true);
      await worker.close(); // a no-op after its batch
    });

    test('the table refuses UPDATE and DELETE', async () => {
      await assert.rejects(store.query(`UPDATE audit_log SET actor = 'x' WHERE seq = 1`), /append-only/);
      await assert.rejects(store.query('DELETE FROM audit_log WHERE seq = 1'), /append-only/);
    });

    test('a row edited in the database (trigger bypassed) is found as the first broken link', async () => {
      await store.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await store.query(`UPDATE audit_log SET subject = 'subscriber:SOMEONE-ELSE' WHERE seq = 3`);
      const report = await verifyAudit(store);
      assert.equal(report.ok, false);
      assert.equal(report.checked, 2);
      assert.equal(report.firstBroken?.seq, 3);
      assert.match(report.firstBroken!.reason, /edited/);
      // a deleted row shows as a gap
      await store.query(`UPDATE audit_log SET subject = 'subscriber:S2' WHERE seq = 3`);
      assert.equal((await verifyAudit(store)).ok, true, 'restoring the value restores the chain');
      await store.query('DELETE FROM audit_log WHERE seq = 2');
      const gap = await verifyAudit(store);
      assert.equal(gap.firstBroken?.seq, 2);
      assert.match(gap.firstBroken!.reason, /missing/);
      await store.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    });
  });
}
