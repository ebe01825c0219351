import { DAY_MS } from '../clock/index.js';
import type { Config } from '../config/index.js';

export type CaseState = 'open' | 'watching' | 'held' | 'resolved' | 'closed';

/** Stages: 0 opened (nothing sent) · 1 first notice · 2 reminder · 3 final notice · 4 walled garden. */
export const STAGE_NAMES = ['opened', 'first-notice', 'reminder', 'final-notice', 'walled-garden'];

export interface CaseRow {
  id: number;
  kind: 'subscriber' | 'site';
  subscriber_id: string | null;
  site: string | null;
  measure: string;
  legal_basis: string;
  state: CaseState;
  stage: number;
  family: string | null;
  opened_at: Date;
  updated_at: Date;
  last_evidence_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  notes: Array<{ at: string; actor: string; text: string }>;
  next_action_at: Date | null;
  stage_at: Date | null;
  fixed_at: Date | null;
}

export type Step =
  | { kind: 'notice'; stage: 1 | 2 | 3; next: Date }
  | { kind: 'walled-garden'; next: Date }
  | { kind: 'wait'; next: Date }
  | { kind: 'resolve'; reason: 'no-evidence' | 'fixed' };

type CasesConfig = Config['cases'];

/** How long a case at `stage` is observed before escalation is considered. */
export function stageWindowDays(stage: number, cfg: CasesConfig): number {
  if (stage === 1) return cfg.observe_days;
  if (stage === 2) return cfg.final_after_days;
  if (stage === 3) return cfg.walled_garden_after_days;
  return 0;
}

const plus = (d: Date, days: number) => new Date(d.getTime() + days * DAY_MS);
const t = (d: Date | null | undefined) => (d ? new Date(d).getTime() : Number.NEGATIVE_INFINITY);

/**
 * The escalation schedule as one pure decision: what a due case does next, given its state, stage,
 * when the stage began and when evidence was last seen. Escalation needs evidence *after* the current
 * notice (the device is still infected); silence for resolve_after_days resolves the case.
 */
export function decide(c: CaseRow, cfg: CasesConfig, now: Date, walledGardenAllowed: boolean): Step {
  const quietSince = new Date(c.last_evidence_at ?? c.opened_at);
  const resolveAt = plus(quietSince, cfg.resolve_after_days);
  const escalate = (): Step => {
    if (c.stage < 3) {
      const stage = (c.stage + 1) as 1 | 2 | 3;
      const window = stageWindowDays(stage, cfg);
      return {
        kind: 'notice',
        stage,
        next: stage === 3 && !walledGardenAllowed ? resolveAt : plus(now, window),
      };
    }
    if (c.stage === 3 && walledGardenAllowed) return { kind: 'walled-garden', next: resolveAt };
    return { kind: 'wait', next: resolveAt > now ? resolveAt : plus(now, 1) };
  };
  if (c.state === 'watching') {
    // "I fixed it" started a shorter watch; evidence after that moment means it was not fixed.
    if (t(c.last_evidence_at) > t(c.fixed_at)) return escalate();
    return { kind: 'resolve', reason: 'fixed' };
  }
  if (c.stage === 0) return { kind: 'notice', stage: 1, next: plus(now, cfg.observe_days) };
  if (now >= resolveAt) return { kind: 'resolve', reason: 'no-evidence' };
  const windowEnd = plus(new Date(c.stage_at ?? c.opened_at), stageWindowDays(c.stage, cfg));
  const continued = t(c.last_evidence_at) > t(c.stage_at);
  if (now >= windowEnd && continued && (c.stage < 3 || walledGardenAllowed) && c.stage < 4) return escalate();
  const nextCheck = continued && now < windowEnd && c.stage < 4 ? windowEnd : resolveAt;
  return { kind: 'wait', next: nextCheck };
}
