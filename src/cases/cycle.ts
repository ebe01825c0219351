import type { AppContext } from '../app/index.js';
import { type AttributionReport, attributePending } from '../attribution/index.js';
import { appendAudit } from '../audit/index.js';
import { DAY_MS } from '../clock/index.js';
import { sendDue, type SendReport } from '../notify/index.js';
import { runSiteOwners } from '../siteowners/index.js';
import type { Queryable } from '../store/index.js';
import { enqueueNotice } from './notices.js';
import { type CaseRow, decide, stageWindowDays } from './schedule.js';

const ACTOR = 'worker:cases';

/** Measures whose evidence opens subscriber cases: enabled ones that may send notices to subscribers. */
function subscriberMeasures(ctx: AppContext): string[] {
  return ctx.measures
    .all()
    .filter((m) => m.enabled && m.data.includes('evidence') && m.data.includes('subscriber-contact'))
    .map((m) => m.name);
}

interface EvidenceRow {
  id: string;
  measure: string;
  subscriber_id: string;
  addr: string;
  family: string | null;
  seen_at: Date;
}

const dayOf = (d: Date) => new Date(d).toISOString().slice(0, 10);

/**
 * Links attributed evidence to cases: one active case per subscriber and measure (opened if none),
 * evidence of the same address, family and day counted once (the rest kept as duplicates).
 */
export async function linkEvidence(ctx: AppContext): Promise<{ linked: number; opened: number }> {
  const measures = subscriberMeasures(ctx);
  let linked = 0;
  let opened = 0;
  for (;;) {
    const batch = await ctx.store.transaction(async (tx) => {
      const r = await tx.query<EvidenceRow>(
        `SELECT e.id, e.measure, e.subscriber_id, host(e.addr) AS addr, e.family, e.seen_at FROM evidence e
          WHERE e.subscriber_id IS NOT NULL AND e.measure = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.evidence_id = e.id)
          ORDER BY e.id LIMIT $2`,
        [measures, ctx.config.cases.batch],
      );
      const groups = new Map<string, EvidenceRow[]>();
      for (const e of r.rows) {
        const k = `${e.measure}\u0000${e.subscriber_id}`;
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k)!.push(e);
      }
      for (const rows of groups.values()) opened += await linkGroup(ctx, tx, rows);
      return r.rows.length;
    });
    linked += batch;
    if (batch < ctx.config.cases.batch) break;
  }
  return { linked, opened };
}

async function linkGroup(ctx: AppContext, tx: Queryable, rows: EvidenceRow[]): Promise<number> {
  const { measure, subscriber_id } = rows[0];
  const now = ctx.clock.now();
  let openedHere = 0;
  const found = await tx.query<CaseRow>(
    `SELECT * FROM cases WHERE kind = 'subscriber' AND subscriber_id = $1 AND measure = $2
        AND state IN ('open', 'watching', 'held') FOR UPDATE`,
    [subscriber_id, measure],
  );
  let c = found.rows[0];
  const latest = rows.reduce((a, b) => (new Date(b.seen_at) > new Date(a.seen_at) ? b : a));
  if (!c) {
    const grant = await ctx.gate.authorize(
      { measure, data: ['evidence'], actor: ACTOR, action: 'case.open', subscriberId: subscriber_id, details: { evidence: rows.length } },
      tx,
    );
    const ins = await tx.query<CaseRow>(
      `INSERT INTO cases (kind, subscriber_id, measure, legal_basis, state, stage, family, opened_at, updated_at,
                          last_evidence_at, next_action_at, stage_at)
       VALUES ('subscriber', $1, $2, $3, 'open', 0, $4, $5, $5, $6, $5, $5) RETURNING *`,
      [subscriber_id, measure, grant.measure.legalBasis, latest.family, now, latest.seen_at],
    );
    c = ins.rows[0];
    openedHere = 1;
  }
  const caseId = Number(c.id);
  const minDay = rows.map((e) => dayOf(e.seen_at)).sort()[0];
  const seen = new Set(
    (
      await tx.query<{ addr: string; family: string | null; day: string }>(
        `SELECT host(e.addr) AS addr, e.family, to_char(ce.day, 'YYYY-MM-DD') AS day
           FROM case_evidence ce JOIN evidence e ON e.id = ce.evidence_id
          WHERE ce.case_id = $1 AND NOT ce.duplicate AND ce.day >= $2`,
        [caseId, minDay],
      )
    ).rows.map((x) => `${x.addr}|${x.family ?? ''}|${x.day}`),
  );
  const ids: string[] = [];
  const days: string[] = [];
  const dups: boolean[] = [];
  for (const e of [...rows].sort((a, b) => new Date(a.seen_at).getTime() - new Date(b.seen_at).getTime())) {
    const k = `${e.addr}|${e.family ?? ''}|${dayOf(e.seen_at)}`;
    ids.push(e.id);
    days.push(dayOf(e.seen_at));
    dups.push(seen.has(k));
    seen.add(k);
  }
  await tx.query(
    `INSERT INTO case_evidence (evidence_id, case_id, day, duplicate)
     SELECT u.id, $1, u.day, u.dup FROM unnest($2::bigint[], $3::date[], $4::boolean[]) AS u(id, day, dup)`,
    [caseId, ids, days, dups],
  );
  // New evidence after the observation window of the current stage makes the case due now
  // (instead of waiting for its resolve-time check).
  const lastEv = new Date(Math.max(new Date(latest.seen_at).getTime(), c.last_evidence_at ? new Date(c.last_evidence_at).getTime() : 0));
  const windowEnd = new Date(new Date(c.stage_at ?? c.opened_at).getTime() + stageWindowDays(c.stage, ctx.config.cases) * DAY_MS);
  const dueNow = c.state === 'open' && now >= windowEnd;
  await tx.query(
    `UPDATE cases SET last_evidence_at = $2, family = coalesce($3, family), updated_at = $4,
            next_action_at = CASE WHEN $5 THEN least(next_action_at, CAST($4 AS timestamptz)) ELSE next_action_at END
      WHERE id = $1`,
    [caseId, lastEv, latest.family, now, dueNow],
  );
  return openedHere;
}

export interface AdvanceReport {
  examined: number;
  notices: number;
  resolved: number;
  walledGarden: number;
}

/** Moves every due case one step along the escalation schedule, one transaction per case. */
export async function advanceCases(ctx: AppContext): Promise<AdvanceReport> {
  const rep: AdvanceReport = { examined: 0, notices: 0, resolved: 0, walledGarden: 0 };
  const cfg = ctx.config.cases;
  const wgAllowed = cfg.walled_garden && ctx.measures.has('walled-garden') && ctx.measures.get('walled-garden').enabled;
  for (;;) {
    const now = ctx.clock.now();
    const due = await ctx.store.query<{ id: string }>(
      `SELECT id FROM cases WHERE kind = 'subscriber' AND state IN ('open', 'watching') AND next_action_at <= $1
        ORDER BY next_action_at, id LIMIT $2`,
      [now, cfg.batch],
    );
    if (due.rows.length === 0) break;
    let progressed = 0;
    for (const { id } of due.rows) {
      await ctx.store.transaction(async (tx) => {
        const r = await tx.query<CaseRow>(
          `SELECT * FROM cases WHERE id = $1 AND state IN ('open', 'watching') AND next_action_at <= $2 FOR UPDATE SKIP LOCKED`,
          [id, now],
        );
        const c = r.rows[0];
        if (!c) return;
        rep.examined++;
        progressed++;
        const step = decide(c, cfg, now, wgAllowed);
        if (step.kind === 'notice') {
          const channels = await enqueueNotice(ctx, tx, c, step.stage);
          await tx.query(
            `UPDATE cases SET stage = $2, stage_at = $3, next_action_at = $4, updated_at = $3, state = 'open',
                    notes = CASE WHEN $5 THEN notes || jsonb_build_array(jsonb_build_object('at', CAST($3 AS timestamptz), 'actor', 'worker:cases', 'text', 'no contact channel reachable for this notice')) ELSE notes END
              WHERE id = $1`,
            [c.id, step.stage, now, step.next, channels.length === 0],
          );
          rep.notices += channels.length;
        } else if (step.kind === 'walled-garden') {
          await enterWalledGarden(ctx, tx, c, now);
          await tx.query(
            `UPDATE cases SET stage = 4, stage_at = $2, next_action_at = $3, updated_at = $2, state = 'open' WHERE id = $1`,
            [c.id, now, step.next],
          );
          rep.walledGarden++;
        } else if (step.kind === 'wait') {
          await tx.query('UPDATE cases SET next_action_at = $2 WHERE id = $1', [c.id, step.next]);
        } else {
          await resolveCase(ctx, tx, c, step.reason, ACTOR, 'resolved');
          rep.resolved++;
        }
      });
    }
    if (progressed === 0 || due.rows.length < cfg.batch) break;
  }
  return rep;
}

async function enterWalledGarden(ctx: AppContext, tx: Queryable, c: CaseRow, now: Date) {
  await ctx.gate.authorize(
    { measure: 'walled-garden', data: [], actor: ACTOR, action: 'walled-garden.enter', subscriberId: c.subscriber_id ?? undefined, details: { case: Number(c.id) } },
    tx,
  );
  const redirect = ctx.config.cases.walled_garden_url || `${ctx.config.selfservice.base_url || ctx.config.http.public_url || `http://${ctx.config.http.listen}`}/self-service/`;
  await tx.query(
    `INSERT INTO walled_garden (case_id, subscriber_id, measure, redirect_to, since, active)
     VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (case_id) DO UPDATE SET active = true, since = $5, until = NULL`,
    [c.id, c.subscriber_id, c.measure, redirect, now],
  );
  await tx.query(
    `INSERT INTO change_log (at, entity, entity_id, op, state) VALUES ($1, 'walled-garden', $2, 'add', $3)`,
    [now, c.subscriber_id, JSON.stringify({ subscriber_id: c.subscriber_id, case_id: Number(c.id), redirect_to: redirect, since: now })],
  );
}

/** Ends a case (resolved by the schedule or closed by an operator) and lifts its walled garden. */
export async function resolveCase(
  ctx: AppContext,
  tx: Queryable,
  c: CaseRow,
  reason: string,
  actor: string,
  state: 'resolved' | 'closed',
) {
  const now = ctx.clock.now();
  await tx.query(
    `UPDATE cases SET state = $2, closed_at = $3, close_reason = $4, updated_at = $3, next_action_at = NULL WHERE id = $1`,
    [c.id, state, now, reason],
  );
  const wg = await tx.query(
    `UPDATE walled_garden SET active = false, until = $2 WHERE case_id = $1 AND active RETURNING subscriber_id`,
    [c.id, now],
  );
  if (wg.rowCount > 0)
    await tx.query(
      `INSERT INTO change_log (at, entity, entity_id, op, state) VALUES ($1, 'walled-garden', $2, 'remove', $3)`,
      [now, c.subscriber_id, JSON.stringify({ subscriber_id: c.subscriber_id, case_id: Number(c.id) })],
    );
  await appendAudit(
    tx,
    {
      actor,
      action: state === 'closed' ? 'case.close' : 'case.resolve',
      outcome: 'done',
      measure: c.measure,
      legalBasis: c.legal_basis,
      subject: c.kind === 'site' ? `site:${c.site}` : `subscriber:${c.subscriber_id}`,
      details: { case: Number(c.id), reason },
    },
    ctx.clock,
  );
}

export interface CycleReport {
  attribution: AttributionReport;
  evidence: { linked: number; opened: number };
  cases: AdvanceReport;
  sites: unknown;
  outbox: SendReport;
}

/**
 * One run of the case cycle — what `yojin cases run` does once and `serve` on its schedule:
 * attribute new evidence, open and advance cases (subscribers and compromised sites), send due notices.
 */
export async function runCycle(
  ctx: AppContext,
  opts: { send?: boolean } = {},
): Promise<CycleReport> {
  const attribution_ = await attributePending(ctx, { actor: ACTOR });
  const evidence = await linkEvidence(ctx);
  const cases = await advanceCases(ctx);
  const sites = ctx.config.siteowners.enabled ? await runSiteOwners(ctx) : undefined;
  const outbox =
    opts.send === false ? { claimed: 0, sent: 0, retried: 0, failed: 0, bounced: 0 } : await sendDue(ctx);
  return { attribution: attribution_, evidence, cases, sites, outbox };
}
