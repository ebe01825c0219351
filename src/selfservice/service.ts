import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { evidenceSummary, getCase, markFixed } from '../cases/index.js';
import { YojinError } from '../errors/index.js';
import { findTemplate, type Lang, render, stageLabel } from '../notify/index.js';
import { setConsent } from '../subscribers/index.js';
import { linkSecret, selfServiceLink, verifyToken } from './token.js';

export interface SelfServiceView {
  case: {
    id: number;
    measure: string;
    state: string;
    stage: number;
    family: string | null;
    opened_at: Date;
    last_evidence_at: Date | null;
    fixed_at: Date | null;
    closed_at: Date | null;
  };
  lang: Lang;
  notice: { subject: string; text: string };
  consents: Array<{ measure: string; purpose: string; granted: boolean; explicit: boolean }>;
}

const fmt = (d: Date | null) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '-');

/** Checks the link and that it belongs to the case's subscriber; returns the case. */
export async function openLink(ctx: AppContext, token: string) {
  const claims = verifyToken(await linkSecret(ctx), token, ctx.clock.now());
  const c = await getCase(ctx.store, claims.c).catch(() => null);
  if (!c || c.subscriber_id !== claims.s)
    throw new YojinError(
      'SELFSERVICE_LINK_INVALID',
      'this link does not match a case / このリンクに対応する案件がありません',
    );
  return c;
}

/**
 * What the subscriber sees: their case, the notice with its removal steps (in their language), and
 * their consent for each consent-based measure. The subscriber looking at their own data is audited
 * (actor subscriber:ID) like any other view.
 */
export async function viewSelfService(
  ctx: AppContext,
  token: string,
  langWanted?: string,
): Promise<SelfServiceView> {
  const c = await openLink(ctx, token);
  const sub = await ctx.store.query<{ language: Lang }>('SELECT language FROM subscribers WHERE id = $1', [
    c.subscriber_id,
  ]);
  const lang: Lang =
    langWanted === 'en' || langWanted === 'ja' ? langWanted : (sub.rows[0]?.language ?? 'ja');
  const summary = await evidenceSummary(ctx.store, c.id);
  const link = await selfServiceLink(ctx, c.id, c.subscriber_id ?? '');
  const stage = Math.max(1, Math.min(c.stage, 3));
  const notice = render(
    findTemplate(c.measure, c.family, lang),
    {
      case_id: String(c.id),
      subscriber_id: c.subscriber_id ?? '',
      family: c.family ?? (lang === 'ja' ? '不明' : 'unknown'),
      first_seen: fmt(summary.first),
      last_seen: fmt(summary.last),
      evidence_count: String(summary.count),
      link: link.url,
      link_expires: fmt(link.expires),
      stage_label: stageLabel(stage, lang),
    },
    lang,
  );
  const explicit = await ctx.store.query<{ measure: string; granted: boolean }>(
    'SELECT measure, granted FROM consents WHERE subscriber_id = $1',
    [c.subscriber_id],
  );
  const chosen = new Map(explicit.rows.map((r) => [r.measure, r.granted]));
  const consents = ctx.measures
    .all()
    .filter((m) => m.legalBasis === 'consent' && m.enabled)
    .map((m) => ({
      measure: m.name,
      purpose: m.purpose[lang],
      granted: chosen.get(m.name) ?? m.defaultConsent === 'opt-out',
      explicit: chosen.has(m.name),
    }));
  await appendAudit(
    ctx.store,
    {
      actor: `subscriber:${c.subscriber_id}`,
      action: 'selfservice.view',
      outcome: 'done',
      measure: c.measure,
      legalBasis: c.legal_basis,
      subject: `subscriber:${c.subscriber_id}`,
      details: { case: c.id },
    },
    ctx.clock,
  );
  return {
    case: {
      id: c.id,
      measure: c.measure,
      state: c.state,
      stage: c.stage,
      family: c.family,
      opened_at: c.opened_at,
      last_evidence_at: c.last_evidence_at,
      fixed_at: c.fixed_at,
      closed_at: c.closed_at,
    },
    lang,
    notice: { subject: notice.subject, text: notice.text },
    consents,
  };
}

/** "I fixed it" from the subscriber: starts the shorter watch window (never closes the case). */
export async function selfServiceFixed(ctx: AppContext, token: string) {
  const c = await openLink(ctx, token);
  return markFixed(ctx, c.id, `subscriber:${c.subscriber_id}`);
}

/**
 * Opt out of / back into a consent-based measure (ACTIVE model: contract consent, opt-out any time).
 * Goes through the subscribers module, which writes the change_log row the DNS resolver follows.
 */
export async function selfServiceConsent(ctx: AppContext, token: string, measure: string, granted: boolean) {
  const c = await openLink(ctx, token);
  if (!ctx.measures.has(measure) || ctx.measures.get(measure).legalBasis !== 'consent')
    throw new YojinError(
      'SELFSERVICE_NOT_CONSENT_BASED',
      `${measure} does not rest on consent; it cannot be switched here / この対策は同意に基づくものではないため、ここでは変更できません`,
    );
  return setConsent(
    ctx,
    c.subscriber_id ?? '',
    measure,
    granted,
    `selfservice:subscriber:${c.subscriber_id}`,
  );
}
