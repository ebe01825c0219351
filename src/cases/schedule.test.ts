import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY_MS } from '../clock/index.js';
import { validateConfig } from '../config/index.js';
import { type CaseRow, decide } from './schedule.js';

const cfg = validateConfig({}).cases;
const t0 = Date.parse('2026-11-01T00:00:00Z');
const at = (days: number) => new Date(t0 + days * DAY_MS);
const base = (over: Partial<CaseRow>): CaseRow => ({
  id: 1,
  kind: 'subscriber',
  subscriber_id: 'S1',
  site: null,
  measure: 'notify-infected',
  legal_basis: 'emergency-evacuation',
  state: 'open',
  stage: 1,
  family: null,
  opened_at: at(0),
  updated_at: at(0),
  last_evidence_at: at(0),
  closed_at: null,
  close_reason: null,
  notes: [],
  next_action_at: at(7),
  stage_at: at(0),
  fixed_at: null,
  ...over,
});

test('schedule: no reminder inside the window or without new evidence; reminder after it with new evidence', () => {
  assert.equal(decide(base({ last_evidence_at: at(3) }), cfg, at(5), false).kind, 'wait');
  assert.deepEqual(decide(base({}), cfg, at(7), false), { kind: 'wait', next: at(14) });
  assert.deepEqual(decide(base({ last_evidence_at: at(3) }), cfg, at(7), false), {
    kind: 'notice',
    stage: 2,
    next: at(14),
  });
});

test('schedule: after the final notice without a walled garden, wait for quiet; with one, enter it', () => {
  const c = base({ stage: 3, stage_at: at(14), last_evidence_at: at(16) });
  assert.deepEqual(decide(c, cfg, at(21), false), { kind: 'wait', next: at(30) });
  assert.equal(decide(c, cfg, at(21), true).kind, 'walled-garden');
  assert.deepEqual(decide(c, cfg, at(30), true), { kind: 'resolve', reason: 'no-evidence' });
});

test('schedule: watching resolves as fixed without new evidence, escalates with it', () => {
  const w = base({ state: 'watching', fixed_at: at(2), last_evidence_at: at(1) });
  assert.deepEqual(decide(w, cfg, at(5), false), { kind: 'resolve', reason: 'fixed' });
  assert.equal(decide({ ...w, last_evidence_at: at(3) }, cfg, at(5), false).kind, 'notice');
});
