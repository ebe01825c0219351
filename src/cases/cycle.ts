import type { AppContext } from '../app/index.js';
import { type AttributionReport, attributePending } from '../attribution/index.js';
import { appendAudit } from '../audit/index.js';
import { DAY_MS } from '../clock/index.js';
import { instanceId, type SendReport, sendDue } from '../notify/index.js';
import { linkSecret } from '../selfservice/index.js';
import { runSiteOwners } from '../siteowners/index.js';
import type { Queryable } from '../store/index.js';
import { enqueueNotices } from './notices.js';
import { type CaseRow, decide, type Step, stageWindowDays } from './schedule.js';

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
        `SELECT e.id, e.measure, a.subscriber_id, host(e.addr) AS addr, e.family, e.seen_at
           FROM attributions a JOIN evidence e ON e.id = a.evidence_id
          WHERE a.subscriber_id IS NOT NULL AND e.measure = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM case_evidence ce WHERE ce.evidence_id = e.id)
          ORDER BY a.evidence_id LIMIT $2`,
        [measures, ctx.config.cases.batch],
      );
      const groups = new Map<string, EvidenceRow[]>();
      for (const e of r.rows) {
        const k = `${e.measure}\u0000${e.subscriber_id}`;
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k)!.push(e);
      }
      const basis = await authorizeOpenings(ctx, tx, groups);
      opened += await linkBatch(ctx, tx, [...groups.values()], basis);
      return r.rows.length;
    });
    linked += batch;
    if (batch < ctx.config.cases.batch) break;
  }
  return { linked, opened };
}

/**
 * Asks the gate before cases are opened from evidence. A measure that does not rest on consent gets
 * one decision (and one audit record naming every subscriber) per batch; a consent-based one is
 * asked per subscriber, since the answer depends on each subscriber's consent.
 */
async function authorizeOpenings(
  ctx: AppContext,
  tx: Queryable,
  groups: Map<string, EvidenceRow[]>,
): Promise<Map<string, string>> {
  const subs = [...new Set([...groups.values()].map((g) => g[0].subscriber_id))];
  const active = await tx.query<{ subscriber_id: string; measure: string }>(
    `SELECT subscriber_id, measure FROM cases WHERE kind = 'subscriber' AND state IN ('open', 'watching', 'held')
        AND subscriber_id = ANY($1)`,
    [subs],
  );
  const has = new Set(active.rows.map((r) => `${r.measure}\u0000${r.subscriber_id}`));
  const toOpen = new Map<string, string[]>();
  for (const [k, g] of groups) {
    if (has.has(k)) continue;
    if (!toOpen.has(g[0].measure)) toOpen.set(g[0].measure, []);
    toOpen.get(g[0].measure)!.push(g[0].subscriber_id);
  }
  const basis = new Map<string, string>();
  for (const [measure, ids] of toOpen) {
    const m = ctx.measures.get(measure);
    if (m.legalBasis === 'consent') {
      for (const id of ids)
        await ctx.gate.authorize(
          { measure, data: ['evidence'], actor: ACTOR, action: 'case.open', subscriberId: id },
          tx,
        );
    } else {
      await ctx.gate.authorize(
        {
          measure,
          data: ['evidence'],
          actor: ACTOR,
          action: 'case.open',
          subject: `cases:${measure}`,
          details: { subscribers: ids },
        },
        tx,
      );
    }
    basis.set(measure, m.legalBasis);
  }
  return basis;
}

/**
 * Links one batch set-based (a handful of statements per batch, whatever its size): opens the
 * missing cases, marks duplicates (same address, family and day as evidence the case already has, or
 * earlier in the batch), inserts the links and moves each case's last-evidence time.
 */
async function linkBatch(
  ctx: AppContext,
  tx: Queryable,
  groups: EvidenceRow[][],
  basis: Map<string, string>,
): Promise<number> {
  if (groups.length === 0) return 0;
  const now = ctx.clock.now();
  const cfg = ctx.config.cases;
  const key = (measure: string, sub: string) => `${measure}\u0000${sub}`;
  const subs = [...new Set(groups.map((g) => g[0].subscriber_id))];
  const activeSql = `SELECT * FROM cases WHERE kind = 'subscriber' AND state IN ('open', 'watching', 'held')
                       AND subscriber_id = ANY($1) FOR UPDATE`;
  const before = new Map(
    (await tx.query<CaseRow>(activeSql, [subs])).rows.map((c) => [key(c.measure, c.subscriber_id!), c]),
  );
  const latestOf = (g: EvidenceRow[]) =>
    g.reduce((a, b) => (new Date(b.seen_at) > new Date(a.seen_at) ? b : a));
  const fresh = groups.filter((g) => !before.has(key(g[0].measure, g[0].subscriber_id)));
  if (fresh.length)
    await tx.query(
      `INSERT INTO cases (kind, subscriber_id, measure, legal_basis, state, stage, family, opened_at, updated_at,
                          last_evidence_at, next_action_at, stage_at)
       SELECT 'subscriber', u.sub, u.measure, u.basis, 'open', 0, u.family, $6, $6, u.last, $6, $6
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS u(sub, measure, basis, family, last)`,
      [
        fresh.map((g) => g[0].subscriber_id),
        fresh.map((g) => g[0].measure),
        fresh.map((g) => basis.get(g[0].measure) ?? ctx.measures.get(g[0].measure).legalBasis),
        fresh.map((g) => latestOf(g).family),
        fresh.map((g) => latestOf(g).seen_at),
        now,
      ],
    );
  const cases = fresh.length
    ? new Map(
        (await tx.query<CaseRow>(activeSql, [subs])).rows.map((c) => [key(c.measure, c.subscriber_id!), c]),
      )
    : before;
  const old = [...before.values()].map((c) => Number(c.id));
  const minDay = groups
    .flat()
    .map((e) => dayOf(e.seen_at))
    .sort()[0];
  const seen = new Set(
    old.length
      ? (
          await tx.query<{ case_id: string; addr: string; family: string | null; day: string }>(
            `SELECT ce.case_id, host(e.addr) AS addr, e.family, to_char(ce.day, 'YYYY-MM-DD') AS day
               FROM case_evidence ce JOIN evidence e ON e.id = ce.evidence_id
              WHERE ce.case_id = ANY($1) AND NOT ce.duplicate AND ce.day >= $2`,
            [old, minDay],
          )
        ).rows.map((x) => `${Number(x.case_id)}|${x.addr}|${x.family ?? ''}|${x.day}`)
      : [],
  );
  const ids: string[] = [];
  const caseIds: number[] = [];
  const days: string[] = [];
  const dups: boolean[] = [];
  const upd = {
    id: [] as number[],
    last: [] as Date[],
    family: [] as (string | null)[],
    due: [] as boolean[],
  };
  for (const g of groups) {
    const c = cases.get(key(g[0].measure, g[0].subscriber_id))!;
    const caseId = Number(c.id);
    for (const e of [...g].sort((a, b) => new Date(a.seen_at).getTime() - new Date(b.seen_at).getTime())) {
      const k = `${caseId}|${e.addr}|${e.family ?? ''}|${dayOf(e.seen_at)}`;
      ids.push(e.id);
      caseIds.push(caseId);
      days.push(dayOf(e.seen_at));
      dups.push(seen.has(k));
      seen.add(k);
    }
    if (before.has(key(g[0].measure, g[0].subscriber_id))) {
      const latest = latestOf(g);
      const lastEv = new Date(
        Math.max(
          new Date(latest.seen_at).getTime(),
          c.last_evidence_at ? new Date(c.last_evidence_at).getTime() : 0,
        ),
      );
      // New evidence after the current stage's observation window makes the case due now.
      const windowEnd = new Date(
        new Date(c.stage_at ?? c.opened_at).getTime() + stageWindowDays(c.stage, cfg) * DAY_MS,
      );
      upd.id.push(caseId);
      upd.last.push(lastEv);
      upd.family.push(latest.family);
      upd.due.push(c.state === 'open' && now >= windowEnd);
    }
  }
  await tx.query(
    `INSERT INTO case_evidence (evidence_id, case_id, day, duplicate)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::date[], $4::boolean[])`,
    [ids, caseIds, days, dups],
  );
  if (upd.id.length)
    await tx.query(
      `UPDATE cases c SET last_evidence_at = u.last, family = coalesce(u.family, c.family), updated_at = $5,
              next_action_at = CASE WHEN u.due THEN least(c.next_action_at, CAST($5 AS timestamptz)) ELSE c.next_action_at END
         FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::boolean[]) AS u(id, last, family, due)
        WHERE c.id = u.id`,
      [upd.id, upd.last, upd.family, upd.due, now],
    );
  return fresh.length;
}

export interface AdvanceReport {
  examined: number;
  notices: number;
  resolved: number;
  walledGarden: number;
}

/**
 * Moves every due case one step along the escalation schedule, a chunk of cases per transaction:
 * each case's change and its notices commit together. Notices of a chunk are prepared set-based
 * (see enqueueNotices) and their case updates are one statement; the rarer steps (wait, resolve,
 * walled garden) go case by case.
 */
export async function advanceCases(ctx: AppContext): Promise<AdvanceReport> {
  const rep: AdvanceReport = { examined: 0, notices: 0, resolved: 0, walledGarden: 0 };
  const cfg = ctx.config.cases;
  const wgAllowed =
    cfg.walled_garden && ctx.measures.has('walled-garden') && ctx.measures.get('walled-garden').enabled;
  // Created and cached outside the per-chunk transactions, so a rollback cannot leave a stale value.
  await instanceId(ctx.store, ctx.store);
  await linkSecret(ctx);
  const CHUNK = 500;
  for (;;) {
    const now = ctx.clock.now();
    // The due ids are read once per batch, then locked by primary key chunk by chunk: re-running the
    // range scan per chunk walked every row updated before it (no vacuum between chunks; quadratic
    // on 10k cases in the notices benchmark).
    const due = await ctx.store.query<{ id: string }>(
      `SELECT id FROM cases WHERE kind = 'subscriber' AND state IN ('open', 'watching') AND next_action_at <= $1
        ORDER BY next_action_at, id LIMIT $2`,
      [now, cfg.batch],
    );
    let progressed = 0;
    for (let i = 0; i < due.rows.length; i += CHUNK) {
      const ids = due.rows.slice(i, i + CHUNK).map((r) => r.id);
      progressed += await ctx.store.transaction(async (tx) => {
        const r = await tx.query<CaseRow>(
          `SELECT * FROM cases WHERE id = ANY($1) AND state IN ('open', 'watching') AND next_action_at <= $2
            ORDER BY next_action_at, id FOR UPDATE SKIP LOCKED`,
          [ids, now],
        );
        const notices: Array<{ c: CaseRow; stage: number; next: Date }> = [];
        for (const c of r.rows) {
          rep.examined++;
          const step = decide(c, cfg, now, wgAllowed);
          if (step.kind === 'notice') notices.push({ c, stage: step.stage, next: step.next });
          else await advanceOther(ctx, tx, c, step, now, rep);
        }
        if (notices.length) {
          const channels = await enqueueNotices(ctx, tx, notices);
          const sent = notices.map((n) => channels.get(Number(n.c.id)) ?? []);
          await tx.query(
            `UPDATE cases c SET stage = u.stage, stage_at = $5, next_action_at = u.next, updated_at = $5, state = 'open',
                    notes = CASE WHEN u.unreachable THEN c.notes || jsonb_build_array(jsonb_build_object('at', CAST($5 AS timestamptz), 'actor', 'worker:cases', 'text', 'no contact channel reachable for this notice')) ELSE c.notes END
               FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::boolean[]) AS u(id, stage, next, unreachable)
              WHERE c.id = u.id`,
            [
              notices.map((n) => Number(n.c.id)),
              notices.map((n) => n.stage),
              notices.map((n) => n.next),
              sent.map((ch) => ch.length === 0),
              now,
            ],
          );
          for (const ch of sent) rep.notices += ch.length;
        }
        return r.rows.length;
      });
    }
    if (progressed === 0 || due.rows.length < cfg.batch) break;
  }
  return rep;
}

/** The steps other than a notice, one case at a time. */
async function advanceOther(
  ctx: AppContext,
  tx: Queryable,
  c: CaseRow,
  step: Exclude<Step, { kind: 'notice' }>,
  now: Date,
  rep: AdvanceReport,
) {
  if (step.kind === 'walled-garden') {
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
}

async function enterWalledGarden(ctx: AppContext, tx: Queryable, c: CaseRow, now: Date) {
  await ctx.gate.authorize(
    {
      measure: 'walled-garden',
      data: [],
      actor: ACTOR,
      action: 'walled-garden.enter',
      subscriberId: c.subscriber_id ?? undefined,
      details: { case: Number(c.id) },
    },
    tx,
  );
  const redirect =
    ctx.config.cases.walled_garden_url ||
    `${ctx.config.selfservice.base_url || ctx.config.http.public_url || `http://${ctx.config.http.listen}`}/self-service/`;
  await tx.query(
    `INSERT INTO walled_garden (case_id, subscriber_id, measure, redirect_to, since, active)
     VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (case_id) DO UPDATE SET active = true, since = $5, until = NULL`,
    [c.id, c.subscriber_id, c.measure, redirect, now],
  );
  await tx.query(
    `INSERT INTO change_log (at, entity, entity_id, op, state) VALUES ($1, 'walled-garden', $2, 'add', $3)`,
    [
      now,
      c.subscriber_id,
      JSON.stringify({
        subscriber_id: c.subscriber_id,
        case_id: Number(c.id),
        redirect_to: redirect,
        since: now,
      }),
    ],
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
export async function runCycle(ctx: AppContext, opts: { send?: boolean } = {}): Promise<CycleReport> {
  const attribution_ = await attributePending(ctx, { actor: ACTOR });
  const evidence = await linkEvidence(ctx);
  const cases = await advanceCases(ctx);
  const sites = ctx.config.siteowners.enabled ? await runSiteOwners(ctx) : undefined;
  const outbox =
    opts.send === false ? { claimed: 0, sent: 0, retried: 0, failed: 0, bounced: 0 } : await sendDue(ctx);
  return { attribution: attribution_, evidence, cases, sites, outbox };
}
