import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AppContext } from '../app/index.js';
import { listAudit, verifyAudit } from '../audit/index.js';
import { validateConfig } from '../config/index.js';
import { isYojinError } from '../errors/index.js';
import { testContext } from '../testing/context.js';
import { testBackends } from '../testing/stores.js';
import { MeasureRegistry } from './index.js';

describe('measure registry from config', () => {
  test('built-ins are present with their legal bases', () => {
    const r = MeasureRegistry.fromConfig(validateConfig({}));
    assert.equal(r.get('notify-infected').legalBasis, 'emergency-evacuation');
    assert.equal(r.get('warn-malicious-site').legalBasis, 'consent');
    assert.equal(r.get('warn-malicious-site').defaultConsent, 'opt-out');
  });

  test('a measure moved to emergency evacuation without stating its elements is refused', () => {
    const config = validateConfig({
      measures: { 'notify-vulnerable': { legal_basis: 'emergency-evacuation' } },
    });
    assert.throws(
      () => MeasureRegistry.fromConfig(config),
      (e) => isYojinError(e, 'CONFIG_INVALID_VALUE') && /justification\.present_danger/.test(e.message),
    );
  });

  test('an unknown key inside a measure is rejected', () => {
    assert.throws(
      () => validateConfig({ measures: { 'block-c2': { retention: 3 } } }),
      (e) => isYojinError(e, 'CONFIG_UNKNOWN_KEY') && /measures\.block-c2\.retention/.test(e.message),
    );
  });
});

for (const backend of testBackends()) {
  describe(`measure gate: ${backend.name}`, () => {
    let ctx: AppContext & { dispose(): Promise<void> };
    before(async () => {
      ctx = await testContext(backend, { measures: { 'notify-vulnerable': { enabled: false } } });
      await ctx.store.query(`INSERT INTO subscribers (id) VALUES ('S1'), ('S2')`);
      await ctx.store.query(
        `INSERT INTO consents (subscriber_id, measure, granted) VALUES ('S2', 'warn-malicious-site', false)`,
      );
    });
    after(() => ctx.dispose());

    const req = (over: Record<string, unknown> = {}) => ({
      measure: 'warn-malicious-site',
      data: ['dns-query' as const],
      actor: 'test',
      action: 'dns.policy',
      subscriberId: 'S1',
      ...over,
    });

    test('contract consent: silence is consent, an opt-out is respected', async () => {
      const grant = await ctx.gate.authorize(req());
      assert.equal(grant.measure.name, 'warn-malicious-site');
      await assert.rejects(ctx.gate.authorize(req({ subscriberId: 'S2' })), (e) =>
        isYojinError(e, 'MEASURE_NO_CONSENT'),
      );
    });

    test('data outside the measure is refused', async () => {
      await assert.rejects(
        ctx.gate.authorize(req({ data: ['subscriber-contact'] })),
        (e) => isYojinError(e, 'MEASURE_DATA_NOT_PERMITTED') && /subscriber-contact/.test(e.message),
      );
    });

    test('a disabled or unknown measure cannot touch anything', async () => {
      await assert.rejects(
        ctx.gate.authorize(req({ measure: 'notify-vulnerable', data: ['evidence'] })),
        (e) => isYojinError(e, 'MEASURE_DISABLED'),
      );
      await assert.rejects(ctx.gate.authorize(req({ measure: 'read-everything' })), (e) =>
        isYojinError(e, 'MEASURE_UNKNOWN'),
      );
    });

    test('emergency evacuation needs no consent', async () => {
      assert.equal(
        await ctx.gate.permits(
          req({ measure: 'notify-infected', data: ['evidence', 'assignment'], subscriberId: 'S2' }),
        ),
        true,
      );
    });

    test('every decision, allowed or denied, is in the audit log with measure and basis', async () => {
      const recs = await listAudit(ctx.store, { action: 'dns.policy' });
      const outcomes = recs
        .map((r) => `${r.measure}/${r.legalBasis ?? '-'}/${r.outcome}/${r.subject}`)
        .reverse();
      assert.deepEqual(outcomes, [
        'warn-malicious-site/consent/allowed/subscriber:S1',
        'warn-malicious-site/consent/denied/subscriber:S2',
        'warn-malicious-site/consent/denied/subscriber:S1',
        'notify-vulnerable/legitimate-business-act/denied/subscriber:S1',
        'read-everything/-/denied/subscriber:S1',
        'notify-infected/emergency-evacuation/allowed/subscriber:S2',
      ]);
      assert.equal((await verifyAudit(ctx.store)).ok, true);
    });

    test('an authorization inside a rolled-back transaction leaves no record', async () => {
      const before = (await listAudit(ctx.store, { limit: 1 }))[0].seq;
      await assert.rejects(
        ctx.store.transaction(async (tx) => {
          await ctx.gate.authorize(req({ action: 'rolled-back' }), tx);
          throw new Error('abort');
        }),
      );
      assert.equal((await listAudit(ctx.store, { limit: 1 }))[0].seq, before);
    });
  });
}
