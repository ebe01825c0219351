import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrate, type Store } from '../store/index.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { testBackends } from '../testing/stores.js';

// A store with evidence attributed, refused and pending under the schema before 0312 (results in
// evidence's own columns), then migrated: the results and the pending rows must move, not vanish.
for (const backend of testBackends()) {
  describe(`migration 0312_attribution_results (${backend.name})`, () => {
    let store: Store & { dispose(): Promise<void> };
    before(async () => {
      store = await backend.open({ migrated: false });
      await migrate(
        store,
        MIGRATIONS.filter((m) => m.id < '0312'),
      );
      await store.query(
        `INSERT INTO measures (name, legal_basis, purpose_en, purpose_ja, data_categories, retention_days, enabled, default_consent)
         VALUES ('notify-infected', 'emergency-evacuation', 'p', 'p', '{evidence}', 0, true, 'not-applicable')`,
      );
      await store.query(
        `INSERT INTO evidence (measure, addr, port, seen_at, kind, source, attributed_at, subscriber_id, unattributed_reason) VALUES
           ('notify-infected', '198.51.100.1', 1000, '2026-11-01T00:00:00Z', 'attributed', 't', '2026-11-02T00:00:00Z', 'sub-1', NULL),
           ('notify-infected', '198.51.100.2', NULL, '2026-11-01T00:00:00Z', 'refused', 't', '2026-11-02T00:00:00Z', NULL, 'port-missing'),
           ('notify-infected', '2001:db8::2', 443, '2026-11-01T00:00:00Z', 'pending', 't', NULL, NULL, NULL)`,
      );
      await migrate(store);
    });
    after(() => store.dispose());

    test('attributed and refused rows keep their outcome in attributions; pending rows are queued', async () => {
      const results = await store.query(
        `SELECT e.kind, a.subscriber_id, a.unattributed_reason, a.attributed_at::text
           FROM attributions a JOIN evidence e ON e.id = a.evidence_id ORDER BY e.kind`,
      );
      assert.deepEqual(results.rows, [
        {
          kind: 'attributed',
          subscriber_id: 'sub-1',
          unattributed_reason: null,
          attributed_at: '2026-11-02 00:00:00+00',
        },
        {
          kind: 'refused',
          subscriber_id: null,
          unattributed_reason: 'port-missing',
          attributed_at: '2026-11-02 00:00:00+00',
        },
      ]);
      const queued = await store.query(
        `SELECT e.kind, q.measure, host(q.addr) AS addr, q.port, q.seen_at = e.seen_at AS same_time
           FROM attribution_queue q JOIN evidence e ON e.id = q.evidence_id`,
      );
      assert.deepEqual(queued.rows, [
        { kind: 'pending', measure: 'notify-infected', addr: '2001:db8::2', port: 443, same_time: true },
      ]);
    });

    test('evidence keeps no result columns; new evidence is queued by the insert itself', async () => {
      const cols = await store.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'evidence'
           AND column_name IN ('attributed_at', 'subscriber_id', 'unattributed_reason')`,
      );
      assert.deepEqual(cols.rows, []);
      await store.query(
        `INSERT INTO evidence (measure, addr, port, seen_at, kind, source)
         VALUES ('notify-infected', '198.51.100.3', 2000, '2026-11-03T00:00:00Z', 'new', 't')`,
      );
      const queued = await store.query<{ kind: string }>(
        'SELECT e.kind FROM attribution_queue q JOIN evidence e ON e.id = q.evidence_id ORDER BY e.kind',
      );
      assert.deepEqual(
        queued.rows.map((r) => r.kind),
        ['new', 'pending'],
      );
    });
  });
}
