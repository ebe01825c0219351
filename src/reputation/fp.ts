import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { logIndicatorChange } from './changelog.js';
import { check } from './check.js';
import { addHistory } from './history.js';
import { rescore } from './score.js';

export interface FpReport {
  id: number;
  value: string;
  indicator_id: number | null;
  reporter: string | null;
  contact: string | null;
  reason: string;
  lang: 'ja' | 'en';
  status: 'pending' | 'accepted' | 'rejected';
  created_at: string;
  reviewed_at: string | null;
  reviewer: string | null;
  review_note: string | null;
}

const COLS = `id, value, indicator_id, reporter, contact, reason, lang, status,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
  to_char(reviewed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS reviewed_at, reviewer, review_note`;

export interface FpReportInput {
  value: string;
  reporter?: string;
  contact?: string;
  reason: string;
  lang?: 'ja' | 'en';
}

/** What the reporter is told, in their language. */
export const FP_ACK = {
  ja: 'ご報告ありがとうございます。担当者が確認し、誤りであれば登録を解除します。',
  en: 'Thank you for the report. An analyst will review it and delist the entry if it is a mistake.',
} as const;

/**
 * Files a false-positive report (API, and the warning page's "report a mistake" form) into the
 * review queue. The report is tied to the listing that currently matches the value, if any.
 */
export async function reportFalsePositive(
  ctx: AppContext,
  input: FpReportInput,
): Promise<{ report: FpReport; message: string }> {
  const value = input.value?.trim();
  if (!value || value.length > 4096)
    throw new YojinError('REQUEST_INVALID', 'value: the URL, domain or IP (1–4096 characters)');
  if (!input.reason?.trim() || input.reason.length > 4000)
    throw new YojinError('REQUEST_INVALID', 'reason: say why the listing is a mistake (1–4000 characters)');
  const lang = input.lang === 'en' ? 'en' : 'ja';
  let indicatorId: number | null = null;
  try {
    const v = await check(ctx, value);
    const m = v.matches.find((x) => x.indicator.status === 'active') ?? v.matches[0];
    indicatorId = m?.indicator.id ?? null;
  } catch {
    // An uncanonicalisable value is still a report worth reading; it just matches nothing.
  }
  const r = await ctx.store.query<FpReport>(
    `INSERT INTO fp_reports (value, indicator_id, reporter, contact, reason, lang, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLS}`,
    [
      value,
      indicatorId,
      input.reporter ?? null,
      input.contact ?? null,
      input.reason.trim(),
      lang,
      ctx.clock.now(),
    ],
  );
  return { report: r.rows[0], message: FP_ACK[lang] };
}

export async function listFpReports(
  ctx: AppContext,
  opts: { status?: string; limit?: number; offset?: number } = {},
): Promise<FpReport[]> {
  const r = await ctx.store.query<FpReport>(
    `SELECT ${COLS} FROM fp_reports WHERE ($1::text IS NULL OR status = $1) ORDER BY id LIMIT $2 OFFSET $3`,
    [opts.status ?? null, opts.limit ?? 100, opts.offset ?? 0],
  );
  return r.rows;
}

export async function getFpReport(ctx: AppContext, id: number): Promise<FpReport> {
  const r = await ctx.store.query<FpReport>(`SELECT ${COLS} FROM fp_reports WHERE id = $1`, [id]);
  if (!r.rows[0]) throw new YojinError('NOT_FOUND', `no false-positive report ${id}`);
  return r.rows[0];
}

/**
 * Reviews a report: accept → the listing is delisted (suppressed for reputation.suppression_days);
 * reject → the listing stays. Either way the report is closed with the reviewer's note.
 */
export async function reviewFpReport(
  ctx: AppContext,
  id: number,
  input: { decision: 'accept' | 'reject'; reviewer: string; note: string },
): Promise<FpReport> {
  if (!input.note?.trim())
    throw new YojinError('REQUEST_INVALID', 'a review needs a note (why accepted or rejected)');
  const rep = await getFpReport(ctx, id);
  if (rep.status !== 'pending')
    throw new YojinError('CONFLICT', `report ${id} was already reviewed (${rep.status})`);
  if (input.decision === 'accept') {
    if (rep.indicator_id === null)
      throw new YojinError('CONFLICT', `report ${id} matches no listing; reject it with a note instead`);
    await delistIndicator(ctx, rep.indicator_id, {
      actor: input.reviewer,
      reason: `false positive (report ${id}): ${input.note}`,
    });
  }
  const r = await ctx.store.query<FpReport>(
    `UPDATE fp_reports SET status = $2, reviewed_at = $3, reviewer = $4, review_note = $5 WHERE id = $1 RETURNING ${COLS}`,
    [id, input.decision === 'accept' ? 'accepted' : 'rejected', ctx.clock.now(), input.reviewer, input.note],
  );
  return r.rows[0];
}

/**
 * Delists an indicator as a false positive: out of enforcement now (change_log remove), and no
 * source re-lists it for reputation.suppression_days unless it reports evidence newer than this.
 */
export async function delistIndicator(
  ctx: AppContext,
  id: number,
  opts: { actor: string; reason: string },
): Promise<void> {
  if (!opts.reason?.trim()) throw new YojinError('REQUEST_INVALID', 'delisting needs a reason');
  const now = ctx.clock.now();
  const until = new Date(now.getTime() + ctx.config.reputation.suppression_days * 86_400_000);
  await ctx.store.transaction(async (tx) => {
    const cur = await tx.query<{ status: string }>('SELECT status FROM indicators WHERE id = $1 FOR UPDATE', [
      id,
    ]);
    if (!cur.rows[0]) throw new YojinError('NOT_FOUND', `no indicator ${id}`);
    await tx.query(
      `UPDATE indicators SET status = 'delisted', delisted_at = $2, suppressed_until = $3, updated_at = $2 WHERE id = $1`,
      [id, now, until],
    );
    if (cur.rows[0].status === 'active') await logIndicatorChange(tx, id, 'remove', now);
    await addHistory(tx, {
      indicatorId: id,
      at: now,
      actor: opts.actor,
      action: 'delist',
      from: cur.rows[0].status,
      to: 'delisted',
      reason: opts.reason,
      details: { suppressed_until: until.toISOString() },
    });
  });
}

/** Undoes a delisting (an analyst's mistake): suppression ends and the listing is re-scored. */
export async function relistIndicator(
  ctx: AppContext,
  id: number,
  opts: { actor: string; reason: string },
): Promise<string> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    const cur = await tx.query<{ status: string }>('SELECT status FROM indicators WHERE id = $1 FOR UPDATE', [
      id,
    ]);
    if (!cur.rows[0]) throw new YojinError('NOT_FOUND', `no indicator ${id}`);
    if (cur.rows[0].status !== 'delisted')
      throw new YojinError('CONFLICT', `indicator ${id} is ${cur.rows[0].status}, not delisted`);
    await tx.query(
      `UPDATE indicators SET status = 'expired', suppressed_until = $2, updated_at = $2 WHERE id = $1`,
      [id, now],
    );
    await rescore(tx, ctx.config, now, '$1::bigint', [id]);
    const s = (await tx.query<{ status: string }>('SELECT status FROM indicators WHERE id = $1', [id]))
      .rows[0].status;
    if (s === 'active') await logIndicatorChange(tx, id, 'add', now);
    await addHistory(tx, {
      indicatorId: id,
      at: now,
      actor: opts.actor,
      action: 'relist',
      from: 'delisted',
      to: s,
      reason: opts.reason,
    });
    return s;
  });
}
