import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { YojinError } from '../errors/index.js';
import { listNotices, type NoticeRow } from '../notify/index.js';
import type { Queryable } from '../store/index.js';
import { resolveCase } from './cycle.js';
import { readContact, renderNotice } from './notices.js';
import type { CaseRow, CaseState } from './schedule.js';

export interface CaseFilter {
  state?: string;
  measure?: string;
  kind?: string;
  subscriber?: string;
  site?: string;
  limit?: number;
  before?: number;
}

const num = (c: CaseRow): CaseRow => ({ ...c, id: Number(c.id) });

/** Cases, newest first. Lists carry no contact data (nothing to audit); detail views do. */
export async function listCases(db: Queryable, f: CaseFilter = {}): Promise<CaseRow[]> {
  const where: string[] = [];
  const p: unknown[] = [];
  if (f.state) where.push(`state = $${p.push(f.state)}`);
  if (f.measure) where.push(`measure = $${p.push(f.measure)}`);
  if (f.kind) where.push(`kind = $${p.push(f.kind)}`);
  if (f.subscriber) where.push(`subscriber_id = $${p.push(f.subscriber)}`);
  if (f.site) where.push(`site = $${p.push(f.site)}`);
  if (f.before) where.push(`id < $${p.push(f.before)}`);
  const r = await db.query<CaseRow>(
    `SELECT id, kind, subscriber_id, site, measure, legal_basis, state, stage, family, opened_at, updated_at,
            last_evidence_at, closed_at, close_reason, notes, next_action_at, stage_at, fixed_at
       FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${p.push(f.limit ?? 100)}`,
    p,
  );
  return r.rows.map(num);
}

export async function getCase(db: Queryable, id: number, lock = false): Promise<CaseRow> {
  const r = await db.query<CaseRow>(`SELECT * FROM cases WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  if (!r.rows[0])
    throw new YojinError('CASE_NOT_FOUND', `no case ${id}; list them with \`yojin cases list\``);
  return num(r.rows[0]);
}

export interface EvidenceItem {
  id: number;
  seen_at: Date;
  addr: string;
  port: number | null;
  kind: string;
  family: string | null;
  source: string;
  duplicate: boolean;
}

export interface CaseDetail {
  case: CaseRow;
  evidence: EvidenceItem[];
  notices: Array<Omit<NoticeRow, 'payload'> & { to?: string; subject?: string }>;
  walled_garden: unknown;
  site_report?: unknown;
}

/**
 * One case with its evidence timeline and notices. The evidence (addresses seen) is protected data of
 * the case's measure: the view goes through the gate and is audited.
 */
export async function showCase(ctx: AppContext, id: number, actor: string): Promise<CaseDetail> {
  return ctx.store.transaction(async (tx) => {
    const c = await getCase(tx, id);
    if (c.kind === 'subscriber')
      await ctx.gate.authorize(
        {
          measure: c.measure,
          data: ['evidence', 'notification'],
          actor,
          action: 'case.view',
          subscriberId: c.subscriber_id ?? undefined,
          details: { case: id },
        },
        tx,
      );
    const ev = await tx.query<EvidenceItem>(
      `SELECT e.id, e.seen_at, host(e.addr) AS addr, e.port, e.kind, e.family, e.source, ce.duplicate
         FROM case_evidence ce JOIN evidence e ON e.id = ce.evidence_id WHERE ce.case_id = $1 ORDER BY e.seen_at, e.id LIMIT 1000`,
      [id],
    );
    const notices = (await listNotices(tx, { caseId: id, limit: 1000 })).map(({ payload, ...n }) => ({
      ...n,
      subject: 'subject' in payload ? payload.subject : undefined,
    }));
    const wg = await tx.query('SELECT * FROM walled_garden WHERE case_id = $1', [id]);
    const site =
      c.kind === 'site'
        ? (await tx.query('SELECT * FROM site_reports WHERE case_id = $1', [id])).rows[0]
        : undefined;
    return {
      case: c,
      evidence: ev.rows.map((e) => ({ ...e, id: Number(e.id) })),
      notices: notices.reverse(),
      walled_garden: wg.rows[0] ?? null,
      ...(site ? { site_report: site } : {}),
    };
  });
}

async function change(
  ctx: AppContext,
  id: number,
  actor: string,
  action: string,
  fn: (tx: Queryable, c: CaseRow, now: Date) => Promise<void>,
  details: Record<string, unknown> = {},
): Promise<CaseRow> {
  return ctx.store.transaction(async (tx) => {
    const c = await getCase(tx, id, true);
    const now = ctx.clock.now();
    await fn(tx, c, now);
    await appendAudit(
      tx,
      {
        actor,
        action,
        outcome: 'done',
        measure: c.measure,
        legalBasis: c.legal_basis,
        subject: c.kind === 'site' ? `site:${c.site}` : `subscriber:${c.subscriber_id}`,
        details: { case: id, ...details },
      },
      ctx.clock,
    );
    return getCase(tx, id);
  });
}

const ACTIVE: CaseState[] = ['open', 'watching', 'held'];
function requireActive(c: CaseRow, what: string) {
  if (!ACTIVE.includes(c.state))
    throw new YojinError(
      'CASE_INVALID_STATE',
      `case ${c.id} is ${c.state}; only an open, watching or held case can be ${what}`,
    );
}

export function annotateCase(ctx: AppContext, id: number, actor: string, text: string) {
  return change(ctx, id, actor, 'case.annotate', async (tx, _c, now) => {
    await tx.query(
      `UPDATE cases SET notes = notes || jsonb_build_array(jsonb_build_object('at', CAST($2 AS timestamptz), 'actor', CAST($3 AS text), 'text', CAST($4 AS text))), updated_at = $2 WHERE id = $1`,
      [id, now, actor, text],
    );
  });
}

/** Hold stops escalation (nothing is sent, nothing resolves) until released. */
export function holdCase(ctx: AppContext, id: number, actor: string, reason = '') {
  return change(
    ctx,
    id,
    actor,
    'case.hold',
    async (tx, c, now) => {
      requireActive(c, 'held');
      await tx.query(`UPDATE cases SET state = 'held', updated_at = $2 WHERE id = $1`, [id, now]);
    },
    { reason },
  );
}

export function releaseCase(ctx: AppContext, id: number, actor: string) {
  return change(ctx, id, actor, 'case.release', async (tx, c, now) => {
    if (c.state !== 'held') throw new YojinError('CASE_INVALID_STATE', `case ${id} is ${c.state}, not held`);
    await tx.query(`UPDATE cases SET state = 'open', updated_at = $2, next_action_at = $2 WHERE id = $1`, [
      id,
      now,
    ]);
  });
}

export async function closeCase(ctx: AppContext, id: number, actor: string, reason: string) {
  return ctx.store.transaction(async (tx) => {
    const c = await getCase(tx, id, true);
    requireActive(c, 'closed');
    await resolveCase(ctx, tx, c, reason || 'closed by operator', actor, 'closed');
    return getCase(tx, id);
  });
}

/**
 * "I fixed it": the case is watched for `[cases] watch_days` — resolved if no evidence arrives in that
 * window, escalated as before if it does. It never closes the case by itself.
 */
export function markFixed(ctx: AppContext, id: number, actor: string) {
  return change(ctx, id, actor, 'case.fixed-reported', async (tx, c, now) => {
    if (c.state !== 'open' && c.state !== 'watching')
      throw new YojinError(
        'CASE_INVALID_STATE',
        `case ${id} is ${c.state}; "I fixed it" applies to open cases`,
      );
    const until = new Date(now.getTime() + ctx.config.cases.watch_days * 86_400_000);
    await tx.query(
      `UPDATE cases SET state = 'watching', fixed_at = $2, next_action_at = $3, updated_at = $2 WHERE id = $1`,
      [id, now, until],
    );
  });
}

/** The notice a case would get at `stage` (default: its next), rendered but not sent. Audited read of contact. */
export async function previewNotice(ctx: AppContext, id: number, actor: string, stage?: number) {
  return ctx.store.transaction(async (tx) => {
    const c = await getCase(tx, id);
    if (c.kind !== 'subscriber')
      throw new YojinError(
        'CASE_INVALID_STATE',
        `case ${id} is a site-owner case; its report is shown by \`yojin cases show\``,
      );
    const s = stage ?? Math.min(Math.max(c.stage, 0) + (c.stage < 3 ? 1 : 0), 3);
    const who = await readContact(ctx, tx, c, 'notice.preview', actor, { stage: s });
    const { rendered, link } = await renderNotice(ctx, tx, c, s, who?.lang ?? 'ja');
    return { case: id, stage: s, to: who?.contact.email ?? null, ...rendered, link };
  });
}
