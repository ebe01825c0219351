import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validateConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { testBackends } from '../testing/stores.js';
import { applyPolicyChanges, entryKey, loadPolicy, type PolicyEntry, policyChangesSince } from './index.js';

const config = validateConfig({ dns: { actions: { phishing: 'nxdomain', 'block-c2': 'drop' } } });

async function addIndicator(
  db: Store,
  kind: string,
  value: string,
  category: string,
  scope = 'exact',
  status = 'active',
  net: string | null = null,
): Promise<number> {
  const res = await db.query<{ id: string }>(
    `INSERT INTO indicators (kind, value, net, category, scope, status, first_seen, last_seen)
     VALUES ($1, $2, $3::cidr, $4, $5, $6, now(), now()) RETURNING id`,
    [kind, value, net, category, scope, status],
  );
  const id = Number(res.rows[0].id);
  await logChange(db, id, 'add', { kind, value, category, scope });
  return id;
}

async function logChange(db: Store, id: number, op: string, state: Record<string, unknown> = {}) {
  await db.query(`INSERT INTO change_log (entity, entity_id, op, state) VALUES ('indicator', $1, $2, $3)`, [
    String(id),
    op,
    JSON.stringify(state),
  ]);
}

const byName = (es: PolicyEntry[]) => [...es].sort((a, b) => a.name.localeCompare(b.name));

for (const backend of testBackends()) {
  describe(`policy model (${backend.name})`, () => {
    let db: Store & { dispose(): Promise<void> };
    before(async () => {
      db = await backend.open();
    });
    after(() => db.dispose());

    test('an empty database has serial 0 and no entries; a delta from 0 is empty', async () => {
      assert.deepEqual(await loadPolicy(db, config), { serial: 0, entries: [] });
      assert.deepEqual(await policyChangesSince(db, 0, config), { serial: 0, added: [], removed: [] });
      assert.equal(await policyChangesSince(db, 5, config), null);
    });

    test('maps indicators to entries: scope, wildcard, CIDR, measure, action; skips urls and inactive', async () => {
      const host = await addIndicator(db, 'domain', 'Bad.Example.', 'malware-distribution', 'host');
      const dom = await addIndicator(db, 'domain', 'phish.example', 'phishing', 'domain');
      const ip = await addIndicator(db, 'ip', '192.0.2.1', 'c2', 'address');
      const ip6 = await addIndicator(db, 'ip', '2001:db8::1', 'c2', 'address');
      const cidr = await addIndicator(
        db,
        'cidr',
        '198.51.100.0/24',
        'c2',
        'address',
        'active',
        '198.51.100.0/24',
      );
      await addIndicator(db, 'url', 'http://x.example/a', 'phishing', 'url');
      await addIndicator(db, 'domain', 'gone.example', 'phishing', 'host', 'delisted');
      const snap = await loadPolicy(db, config);
      assert.equal(snap.serial, 7);
      assert.deepEqual(
        byName(snap.entries),
        byName([
          {
            trigger: 'qname',
            name: 'bad.example',
            wildcard: false,
            measure: 'warn-malicious-site',
            action: 'warn',
            category: 'malware-distribution',
            indicatorId: host,
          },
          {
            trigger: 'qname',
            name: 'phish.example',
            wildcard: true,
            measure: 'warn-malicious-site',
            action: 'nxdomain',
            category: 'phishing',
            indicatorId: dom,
          },
          {
            trigger: 'ip',
            name: '192.0.2.1/32',
            wildcard: false,
            measure: 'block-c2',
            action: 'drop',
            category: 'c2',
            indicatorId: ip,
          },
          {
            trigger: 'ip',
            name: '2001:db8::1/128',
            wildcard: false,
            measure: 'block-c2',
            action: 'drop',
            category: 'c2',
            indicatorId: ip6,
          },
          {
            trigger: 'ip',
            name: '198.51.100.0/24',
            wildcard: false,
            measure: 'block-c2',
            action: 'drop',
            category: 'c2',
            indicatorId: cidr,
          },
        ]),
      );
      assert.equal(new Set(snap.entries.map(entryKey)).size, snap.entries.length);
      // read in pages (skipped url and delisted rows fall inside pages): the same entries, in id order
      for (const pageRows of [1, 2, 3]) assert.deepEqual(await loadPolicy(db, config, pageRows), snap);
      assert.deepEqual(
        snap.entries.map((e) => e.indicatorId),
        [host, dom, ip, ip6, cidr],
      );
    });

    test('a delta since a serial, applied to the old snapshot, equals a fresh load', async () => {
      const before = await loadPolicy(db, config);
      // delist one, change the scope of another, add a new one
      const ids = await db.query<{ id: string; value: string }>(`SELECT id, value FROM indicators`);
      const idOf = (v: string) => Number(ids.rows.find((r) => r.value === v)?.id);
      await db.query(`UPDATE indicators SET status = 'delisted' WHERE id = $1`, [idOf('192.0.2.1')]);
      await logChange(db, idOf('192.0.2.1'), 'remove');
      await db.query(`UPDATE indicators SET scope = 'domain' WHERE id = $1`, [idOf('Bad.Example.')]);
      await logChange(db, idOf('Bad.Example.'), 'update');
      const fresh = await addIndicator(db, 'domain', 'new.example', 'c2', 'host');
      await logChange(db, idOf('Bad.Example.'), 'update'); // touched twice: one entry in the delta
      const delta = await policyChangesSince(db, before.serial, config);
      assert.ok(delta);
      assert.equal(delta.serial, before.serial + 4);
      // read in serial ranges (the twice-touched id falls in two of them): the same delta
      const sorted = (d: typeof delta | null) => ({
        serial: d?.serial,
        added: [...(d?.added ?? [])].sort((a, b) => a.indicatorId - b.indicatorId),
        removed: [...(d?.removed ?? [])].sort((a, b) => a.indicatorId - b.indicatorId),
      });
      for (const pageRows of [1, 2])
        assert.deepEqual(
          sorted(await policyChangesSince(db, before.serial, config, pageRows)),
          sorted(delta),
        );
      assert.deepEqual(
        delta.removed.map((e) => e.indicatorId).sort(),
        [idOf('192.0.2.1'), idOf('Bad.Example.'), fresh].sort(),
      );
      const applied = applyPolicyChanges(before, delta);
      const reloaded = await loadPolicy(db, config);
      assert.equal(applied.serial, reloaded.serial);
      assert.deepEqual(applied.entries.map(entryKey).sort(), reloaded.entries.map(entryKey).sort());
      assert.ok(reloaded.entries.some((e) => e.name === 'bad.example' && e.wildcard));
      assert.ok(
        reloaded.entries.some(
          (e) => e.name === 'new.example' && e.measure === 'block-c2' && e.action === 'drop',
        ),
      );
    });

    test('a deleted row is removed by id; an unknown (future or pruned) serial means reload', async () => {
      const snap = await loadPolicy(db, config);
      const victim = snap.entries.find((e) => e.name === 'phish.example');
      assert.ok(victim);
      await db.query(`DELETE FROM indicators WHERE id = $1`, [victim.indicatorId]);
      await logChange(db, victim.indicatorId, 'remove', {
        kind: 'domain',
        value: 'phish.example',
        category: 'phishing',
        scope: 'domain',
      });
      const delta = await policyChangesSince(db, snap.serial, config);
      assert.ok(delta);
      assert.deepEqual(delta.added, []);
      assert.equal(delta.removed.length, 1);
      assert.equal(entryKey(delta.removed[0]), entryKey(victim));
      assert.equal(await policyChangesSince(db, delta.serial + 10, config), null);
      await db.query(`DELETE FROM change_log WHERE serial <= 3`);
      assert.equal(await policyChangesSince(db, 1, config), null);
      assert.ok(await policyChangesSince(db, 3, config));
    });
  });
}
