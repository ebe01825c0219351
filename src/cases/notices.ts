import type { AppContext } from '../app/index.js';
import {
  type Channel,
  enqueue,
  type Lang,
  type Payload,
  type Rendered,
  renderBilingual,
  stageLabel,
} from '../notify/index.js';
import { selfServiceLink } from '../selfservice/index.js';
import type { Queryable } from '../store/index.js';
import type { CaseRow } from './schedule.js';

export interface Contact {
  email?: string;
  postal?: string;
  name?: string;
}

interface Summary {
  count: number;
  first: Date | null;
  last: Date | null;
}

const fmt = (d: Date | null) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '-');

export async function evidenceSummary(db: Queryable, caseId: number): Promise<Summary> {
  const r = await db.query<{ n: string; first: Date | null; last: Date | null }>(
    `SELECT count(*) FILTER (WHERE NOT ce.duplicate) AS n, min(e.seen_at) AS first, max(e.seen_at) AS last
       FROM case_evidence ce JOIN evidence e ON e.id = ce.evidence_id WHERE ce.case_id = $1`,
    [caseId],
  );
  return { count: Number(r.rows[0].n), first: r.rows[0].first, last: r.rows[0].last };
}

/**
 * Reads the subscriber's language and contact for a notice of this case — through the gate, on the
 * case's measure, so the read is allowed only if that measure may touch contact data, and audited.
 */
export async function readContact(
  ctx: AppContext,
  db: Queryable,
  c: CaseRow,
  action: string,
  actor: string,
  details: Record<string, unknown> = {},
): Promise<{ lang: Lang; contact: Contact } | null> {
  await ctx.gate.authorize(
    {
      measure: c.measure,
      data: ['subscriber-contact', 'notification'],
      actor,
      action,
      subscriberId: c.subscriber_id ?? undefined,
      details: { case: Number(c.id), ...details },
    },
    db,
  );
  const r = await db.query<{ language: Lang; contact: Contact }>(
    'SELECT language, contact FROM subscribers WHERE id = $1',
    [c.subscriber_id],
  );
  if (r.rows.length === 0) return null;
  return { lang: r.rows[0].language === 'en' ? 'en' : 'ja', contact: r.rows[0].contact ?? {} };
}

/** Renders the notice of `stage` for a subscriber case (both languages, the subscriber's first). */
export async function renderNotice(
  ctx: AppContext,
  db: Queryable,
  c: CaseRow,
  stage: number,
  lang: Lang,
): Promise<{ rendered: Rendered; link: string; summary: Summary }> {
  const summary = await evidenceSummary(db, Number(c.id));
  const link = await selfServiceLink(ctx, Number(c.id), c.subscriber_id ?? '', db);
  const rendered = renderBilingual(c.measure, c.family, lang, (l) => ({
    case_id: String(c.id),
    subscriber_id: c.subscriber_id ?? '',
    family: c.family ?? (l === 'ja' ? '不明' : 'unknown'),
    first_seen: fmt(summary.first),
    last_seen: fmt(summary.last),
    evidence_count: String(summary.count),
    link: link.url,
    link_expires: fmt(link.expires),
    stage_label: stageLabel(stage, l),
  }));
  return { rendered, link: link.url, summary };
}

/**
 * Prepares the notice of `stage` and puts it in the outbox on every configured channel the
 * subscriber can be reached on — in the caller's transaction, together with the case change.
 */
export async function enqueueNotice(
  ctx: AppContext,
  tx: Queryable,
  c: CaseRow,
  stage: number,
): Promise<Channel[]> {
  const who = await readContact(ctx, tx, c, 'notice.prepare', 'worker:cases', { stage });
  if (!who) return [];
  const { rendered, link, summary } = await renderNotice(ctx, tx, c, stage, who.lang);
  const now = ctx.clock.now();
  const out: Channel[] = [];
  for (const ch of ctx.config.cases.channels as Channel[]) {
    let payload: Payload | undefined;
    if (ch === 'email' && who.contact.email)
      payload = {
        kind: 'email',
        to: who.contact.email,
        subject: rendered.subject,
        text: rendered.text,
        lang: who.lang,
        template: rendered.template,
      };
    else if (ch === 'postal' && who.contact.postal)
      payload = {
        kind: 'postal',
        name: who.contact.name ?? '',
        postal: who.contact.postal,
        subject: rendered.subject,
        text: rendered.text,
        lang: who.lang,
      };
    else if (ch === 'webhook' && ctx.config.notify.webhook_url)
      payload = {
        kind: 'webhook',
        body: {
          type: 'yojin.notice',
          case_id: Number(c.id),
          stage,
          measure: c.measure,
          legal_basis: c.legal_basis,
          subscriber_id: c.subscriber_id,
          family: c.family,
          language: who.lang,
          subject: rendered.subject,
          text: rendered.text,
          link,
          evidence: { count: summary.count, first_seen: summary.first, last_seen: summary.last },
        },
      };
    if (!payload) continue;
    await enqueue(tx, {
      caseId: Number(c.id),
      stage,
      channel: ch,
      payload,
      at: now,
      from: ctx.config.smtp.from,
      store: ctx.store,
    });
    out.push(ch);
  }
  return out;
}
