import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../../app/index.js';
import { testContext } from '../../testing/context.js';
import { testBackends } from '../../testing/stores.js';
import { importAssignments, mapeEndUserPrefix } from './index.js';

const fx = (name: string) => ({ path: join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', name) });

interface Row {
  subscriber_id: string;
  prefix: string;
  ports: string | null;
  lo: string | null;
  hi: string | null;
  kind: string;
  session_id: string | null;
}
async function rows(ctx: AppContext, kind?: string): Promise<Row[]> {
  const r = await ctx.store.query<Row>(
    `SELECT subscriber_id, prefix::text AS prefix, port_range::text AS ports,
            to_char(lower(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS lo,
            to_char(upper(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS hi, kind, session_id
       FROM assignments ${kind ? 'WHERE kind = $1' : ''} ORDER BY prefix, lower(during) NULLS FIRST, subscriber_id`,
    kind ? [kind] : [],
  );
  return r.rows;
}

test('MAP-E end-user prefix per RFC 7597 §5.2 / Appendix A example 1', () => {
  const rule = {
    name: 'x',
    ipv6Prefix: '2001:db8::/40',
    ipv4Prefix: '192.0.2.0/24',
    eaBits: 16,
    psidOffset: 6,
  };
  // 192.0.2.18 with PSID 0x34: EA bits 0x1234 → 2001:db8:0012:3400::/56; its ports are 1232–1235,
  // 2256–2259, …, 64720–64723 (63 ranges).
  for (const port of [1232, 1235, 2256, 64720, 64723]) {
    assert.deepEqual(mapeEndUserPrefix(rule, '192.0.2.18', port), {
      ok: true,
      prefix: '2001:db8:12:3400::/56',
      psid: 0x34,
      psidLength: 8,
    });
  }
  const other = mapeEndUserPrefix(rule, '192.0.2.18', 1236);
  assert.equal(other.ok && other.prefix, '2001:db8:12:3500::/56');
  assert.deepEqual(mapeEndUserPrefix(rule, '192.0.2.18', 1000), {
    ok: false,
    reason: 'mape-port-not-allocated',
  });
  assert.deepEqual(mapeEndUserPrefix(rule, '192.0.2.18', null), { ok: false, reason: 'port-missing' });
  assert.deepEqual(mapeEndUserPrefix(rule, '192.0.3.18', 1232), { ok: false, reason: 'not-in-rule' });
  // No sharing (EA bits = IPv4 suffix length): one address per CE, the port is not needed.
  const full = mapeEndUserPrefix({ ...rule, eaBits: 8 }, '192.0.2.18', null);
  assert.equal(full.ok && full.prefix, '2001:db8:12::/48');
});

for (const backend of testBackends()) {
  describe(`assignment import (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    before(async () => {
      ctx = await testContext(backend);
    });
    after(() => ctx.dispose());

    test('radius-detail: Start/Stop pairs, a malformed record by line, a later file closes an open session', async () => {
      const r1 = await importAssignments(ctx, fx('radius-detail-1'), { format: 'radius-detail' });
      assert.deepEqual(r1.errors, [
        { line: 15, message: 'Framed-IP-Address is not a valid address/prefix: 198.51.100.300' },
      ]);
      assert.equal(r1.imported, 3); // sub-a v4 + v6 (closed in-file), sub-b open
      assert.equal(r1.open, 1);
      assert.deepEqual(await rows(ctx, 'radius'), [
        {
          subscriber_id: 'sub-a@isp.example',
          prefix: '198.51.100.10/32',
          ports: null,
          lo: '2026-11-23T07:00:00',
          hi: '2026-11-23T08:00:00',
          kind: 'radius',
          session_id: '81000001',
        },
        {
          subscriber_id: 'sub-b@isp.example',
          prefix: '198.51.100.10/32',
          ports: null,
          lo: '2026-11-23T08:00:00',
          hi: null,
          kind: 'radius',
          session_id: '81000003',
        },
      ]);
      assert.deepEqual(
        (await rows(ctx, 'radius-v6')).map((r) => [r.prefix, r.hi]),
        [['2001:db8:1000::/56', '2026-11-23T08:00:00']],
      );
      // The next file has an Interim-Update then the Stop of sub-b's session: the open interval closes.
      const r2 = await importAssignments(ctx, fx('radius-detail-2'), { format: 'radius-detail' });
      assert.deepEqual(r2, {
        format: 'radius-detail',
        imported: 0,
        closed: 1,
        open: 0,
        errors: [],
        errorCount: 0,
      });
      const b = (await rows(ctx, 'radius')).filter((r) => r.subscriber_id.startsWith('sub-b'));
      assert.deepEqual(
        b.map((r) => [r.lo, r.hi]),
        [['2026-11-23T08:00:00', '2026-11-23T10:00:00']],
      );
      // The same second file again: nothing is open to close; the Stop carries Acct-Session-Time, so its
      // whole interval is inserted (a re-import duplicates closed intervals of the same subscriber,
      // which attribution counts as one candidate).
      const again = await importAssignments(ctx, fx('radius-detail-2'), { format: 'radius-detail' });
      assert.equal(again.closed, 0);
      assert.equal(again.imported, 1); // the Stop carries Acct-Session-Time: a full interval, no error
    });

    test('dhcpd-leases: subscriber from agent.remote-id, malformed statement by line, free leases skipped', async () => {
      const r = await importAssignments(ctx, fx('dhcpd.leases'), {
        format: 'dhcpd-leases',
        subscriberField: 'remote-id',
      });
      assert.deepEqual(
        r.errors.map((e) => e.line),
        [22],
      );
      assert.match(r.errors[0].message, /malformed lease statement/);
      assert.equal(r.imported, 2);
      assert.deepEqual(
        (await rows(ctx, 'dhcp')).map((x) => [x.subscriber_id, x.prefix, x.lo, x.hi]),
        [
          ['sub-d', '203.0.113.20/32', '2026-11-23T06:00:00', '2026-11-23T18:00:00'],
          ['sub-e', '203.0.113.23/32', '2026-11-23T07:00:00', null],
        ],
      );
    });

    test('kea-csv: lease4 and lease6 (delegated prefix), bad lines by number, declined skipped', async () => {
      const r4 = await importAssignments(ctx, fx('kea-leases4.csv'), {
        format: 'kea-csv',
        subscriberField: 'remote-id',
      });
      assert.deepEqual(r4.errors, [{ line: 3, message: 'address, valid_lifetime or expire is not valid' }]);
      assert.equal(r4.imported, 1);
      const r6 = await importAssignments(ctx, fx('kea-leases6.csv'), {
        format: 'kea-csv',
        subscriberField: 'remote-id',
      });
      assert.deepEqual(
        r6.errors.map((e) => e.line),
        [3],
      );
      const kea = (
        await ctx.store.query<{ s: string; p: string; lo: string; k: string }>(
          `SELECT subscriber_id AS s, prefix::text AS p, to_char(lower(during) AT TIME ZONE 'UTC', 'HH24:MI') AS lo, kind AS k
           FROM assignments WHERE source = 'kea-csv' ORDER BY s`,
        )
      ).rows;
      assert.deepEqual(kea, [
        { s: 'sub-f', p: '203.0.113.30/32', lo: '07:00', k: 'dhcp' },
        { s: 'sub-g', p: '2001:db8:2000::/56', lo: '05:00', k: 'dhcpv6-pd' },
      ]);
    });

    test('static-csv, then cgnat-csv resolving internal addresses, and cgnat-syslog (Juniper)', async () => {
      const s = await importAssignments(ctx, fx('static.csv'), { format: 'static-csv' });
      assert.deepEqual(
        s.errors.map((e) => e.line),
        [4],
      );
      assert.equal(s.imported, 3);
      const c = await importAssignments(ctx, fx('cgnat.csv'), { format: 'cgnat-csv' });
      assert.deepEqual(c.errors, [{ line: 4, message: 'invalid ports' }]);
      assert.equal(c.imported, 2);
      const j = await importAssignments(ctx, fx('juniper-nat.log'), { format: 'cgnat-syslog', year: 2026 });
      assert.deepEqual(
        j.errors.map((e) => e.line),
        [3],
      );
      assert.match(j.errors[0].message, /malformed JSERVICES_NAT_PORT_BLOCK line/);
      assert.deepEqual(
        (await rows(ctx, 'cgnat')).map((x) => [x.subscriber_id, x.prefix, x.ports, x.lo, x.hi]),
        [
          ['sub-c', '203.0.113.5/32', '[1024,2048)', '2026-11-23T07:00:00', '2026-11-23T09:00:00'],
          ['sub-d2', '203.0.113.5/32', '[2048,3072)', '2026-11-23T07:00:05', null],
          ['sub-c', '203.0.113.6/32', '[1024,2048)', '2026-11-23T07:00:00', '2026-11-23T09:00:00'],
          ['sub-d2', '203.0.113.6/32', '[2048,3072)', '2026-11-23T07:00:01', null],
        ],
      );
    });

    test('cgnat-csv: an internal address nobody held is reported, not guessed', async () => {
      const r = await importAssignments(
        ctx,
        {
          text: 'time,internal,external,ports,action\n2026-11-23T07:00:00Z,10.9.9.9,203.0.113.7,1024-2047,allocate\n',
        },
        { format: 'cgnat-csv' },
      );
      assert.equal(r.imported, 0);
      assert.equal(r.errors[0].line, 2);
      assert.match(r.errors[0].message, /no single subscriber held internal address 10\.9\.9\.9/);
    });

    test('mape-rules: stored, a bad rule reported by line', async () => {
      const r = await importAssignments(ctx, fx('mape-rules.csv'), { format: 'mape-rules' });
      assert.equal(r.rules, 1);
      assert.deepEqual(
        r.errors.map((e) => e.line),
        [3],
      );
      const stored = await ctx.store.query(
        'SELECT ipv6_prefix::text AS v6, ipv4_prefix::text AS v4, ea_bits, psid_offset FROM mape_rules',
      );
      assert.deepEqual(stored.rows, [
        { v6: '2001:db8::/40', v4: '192.0.2.0/24', ea_bits: 16, psid_offset: 6 },
      ]);
    });

    test('an unknown format is refused with the list of formats', async () => {
      await assert.rejects(
        importAssignments(ctx, { text: '' }, { format: 'radius' }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'ASSIGNMENT_FORMAT_UNKNOWN');
          assert.match(e.message, /radius-detail, dhcpd-leases/);
          return true;
        },
      );
    });
  });
}
