import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { Rng } from '../util/rng.js';
import { attributePending } from './index.js';

// The set-based join (per-length index probes, time bounds, port blocks in the index, open-interval
// gate) against a naive oracle: every assignment × every evidence row with the plain operators
// (prefix >>= addr, during && window, port_range @> port) and the rules of docs/attribution.md in
// JS. Random but seeded data, dense enough that every reason occurs.

const T0 = Date.UTC(2026, 0, 1) / 1000;
const SKEW = 120;
const iso = (s: number) => new Date(s * 1000).toISOString();

function data(seed: number) {
  const r = new Rng(seed);
  const v6 = (n56: number, n64: number) => `2001:db8:0:${n56}${String(n64).padStart(2, '0')}`;
  const assignments: unknown[][] = [];
  for (let i = 0; i < 400; i++) {
    const kind = r.next();
    let prefix: string;
    let ports: string | null = null;
    if (kind < 0.35) prefix = `10.0.0.${r.int(12)}/32`;
    else if (kind < 0.6) {
      prefix = `10.0.1.${r.int(4)}/32`;
      const b = r.int(4);
      ports = `[${1024 + b * 1024},${1024 + b * 1024 + 1023}]`;
    } else if (kind < 0.7) prefix = r.pick(['10.0.0.0/29', '10.0.0.8/29']);
    else if (kind < 0.85) prefix = `${v6(r.int(3), 0)}::/56`;
    else prefix = `${v6(r.int(3), r.int(3))}::/64`;
    const lo = T0 + r.int(600) * 60 + r.int(60);
    const len = 60 * (5 + r.int(120)) + r.int(60);
    // Since-ever intervals (static ranges) only on the /29s, so that the other lengths exercise the
    // open-interval probe's time gate (a since-ever interval turns it off for its length).
    const shape = r.next();
    const during =
      shape < 0.8
        ? `[${iso(lo)},${iso(lo + len)})`
        : !prefix.endsWith('/29')
          ? `[${iso(lo)},)`
          : shape < 0.9
            ? `(,${iso(lo + len)})`
            : '(,)';
    assignments.push([`s${r.int(25)}`, prefix, ports, during, 'test', 'reference']);
  }
  const evidence: unknown[][] = [];
  for (let i = 0; i < 500; i++) {
    const addr =
      r.next() < 0.45
        ? `10.0.0.${r.int(16)}`
        : r.next() < 0.4
          ? `10.0.1.${r.int(5)}`
          : `${v6(r.int(4), r.int(4))}::${(1 + r.int(9000)).toString(16)}`;
    // Ports at block edges (first, last, one past) as often as anywhere else.
    const edge = 1024 + r.int(5) * 1024 + r.pick([-1, 0, 1023]);
    const port = r.next() < 0.15 ? null : r.next() < 0.5 ? edge : 1024 + r.int(5000);
    const t = T0 - 3600 + r.int(700 * 60);
    evidence.push(['notify-infected', addr, port, iso(t), 'sinkhole', 'reference', iso(T0)]);
  }
  return { assignments, evidence };
}

/** The rules of docs/attribution.md, over the candidates found the naive way. */
function verdict(
  port: number | null,
  cands: Array<{ sub: string; shared: boolean; port_ok: boolean }>,
): { sub: string | null; reason: string | null } {
  if (cands.length === 0) return { sub: null, reason: 'no-assignment' };
  const shared = cands.some((c) => c.shared);
  if (shared && port === null) return { sub: null, reason: 'port-missing' };
  const subs = [...new Set(cands.filter((c) => !c.shared || c.port_ok).map((c) => c.sub))];
  if (subs.length === 0) return { sub: null, reason: shared ? 'no-assignment-for-port' : 'no-assignment' };
  if (subs.length > 1) return { sub: null, reason: 'ambiguous' };
  return { sub: subs[0], reason: null };
}

for (const backend of testBackends()) {
  describe(`attribution against a naive oracle (${backend.name})`, () => {
    let ctx: Awaited<ReturnType<typeof testContext>>;
    before(async () => {
      ctx = await testContext(backend, { attribution: { clock_skew_seconds: SKEW, batch_size: 37 } });
    });
    after(() => ctx.dispose());

    for (const seed of [1, 2, 3]) {
      test(`seed ${seed}: same subscriber or reason for every evidence row`, async () => {
        await ctx.store.exec('DELETE FROM evidence; DELETE FROM assignments');
        const { assignments, evidence } = data(seed);
        // Two imports, and some open intervals closed by UPDATE in between, as session stops do.
        const cols = ['subscriber_id', 'prefix', 'port_range', 'during', 'kind', 'source'];
        await ctx.store.copyFrom('assignments', cols, assignments.slice(0, 200));
        await ctx.store.query(
          `UPDATE assignments SET during = tstzrange(lower(during), lower(during) + interval '3 hours')
            WHERE upper_inf(during) AND NOT lower_inf(during) AND id % 2 = 0`,
        );
        await ctx.store.copyFrom('assignments', cols, assignments.slice(200));
        await ctx.store.copyFrom(
          'evidence',
          ['measure', 'addr', 'port', 'seen_at', 'kind', 'source', 'imported_at'],
          evidence,
        );
        const naive = await ctx.store.query<{
          id: string | number;
          port: number | null;
          sub: string | null;
          shared: boolean | null;
          port_ok: boolean | null;
        }>(
          `SELECT e.id, e.port, a.subscriber_id AS sub, a.port_range IS NOT NULL AS shared,
                  coalesce(a.port_range @> e.port, false) AS port_ok
             FROM evidence e LEFT JOIN assignments a
               ON a.prefix >>= e.addr
              AND a.during && tstzrange(e.seen_at - make_interval(secs => ${SKEW}), e.seen_at + make_interval(secs => ${SKEW}), '[]')
            ORDER BY e.id`,
        );
        const byId = new Map<
          string,
          { port: number | null; cands: Array<{ sub: string; shared: boolean; port_ok: boolean }> }
        >();
        for (const row of naive.rows) {
          const k = String(row.id);
          if (!byId.has(k)) byId.set(k, { port: row.port, cands: [] });
          if (row.sub !== null)
            byId
              .get(k)!
              .cands.push({ sub: row.sub, shared: Boolean(row.shared), port_ok: Boolean(row.port_ok) });
        }
        const expected = Object.fromEntries([...byId].map(([id, e]) => [id, verdict(e.port, e.cands)]));

        await attributePending(ctx);
        const got = await ctx.store.query<{ id: string | number; sub: string | null; reason: string | null }>(
          `SELECT e.id, a.subscriber_id AS sub, a.unattributed_reason AS reason
             FROM evidence e LEFT JOIN attributions a ON a.evidence_id = e.id ORDER BY e.id`,
        );
        const actual = Object.fromEntries(
          got.rows.map((g) => [String(g.id), { sub: g.sub, reason: g.reason }]),
        );
        assert.deepEqual(actual, expected);
        // Dense enough that the test means something: every outcome occurs.
        const reasons = new Set(Object.values(expected).map((v) => v.reason ?? 'attributed'));
        for (const want of [
          'attributed',
          'no-assignment',
          'port-missing',
          'no-assignment-for-port',
          'ambiguous',
        ])
          assert.ok(reasons.has(want), `seed ${seed} produced no ${want}`);
      });
    }
  });
}
