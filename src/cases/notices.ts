import type { AppContext } from '../app/index.js';
import { DAY_MS } from '../clock/index.js';
import type { DataCategory } from '../measures/index.js';
import {
  type Channel,
  instanceId,
  type Lang,
  messageIdFor,
  noticeKey,
  type Payload,
  type Rendered,
  renderBilingual,
  stageLabel,
} from '../notify/index.js';
import { baseUrl, linkSecret, selfServiceLink, signToken } from '../selfservice/index.js';
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
  return { rendered: renderWith(c, stage, lang, summary, link), link: link.url, summary };
}

/** The render itself, pure: the same text whether one notice is previewed or a batch is prepared. */
function renderWith(
  c: CaseRow,
  stage: number,
  lang: Lang,
  summary: Summary,
  link: { url: string; expires: Date },
): Rendered {
  return renderBilingual(c.measure, c.family, lang, (l) => ({
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
}

/** The same link selfServiceLink makes, with the secret read once for a whole batch. */
function selfServiceLinkWith(ctx: AppContext, secret: string, caseId: number, subscriberId: string) {
  const expires = new Date(ctx.clock.now().getTime() + ctx.config.selfservice.link_days * DAY_MS);
  const token = signToken(secret, { c: caseId, s: subscriberId, e: Math.floor(expires.getTime() / 1000) });
  return { url: `${baseUrl(ctx)}/self-service/${token}`, token, expires };
}

/** One payload per configured channel the subscriber can be reached on (none: the notice is not sent). */
function payloadsFor(
  ctx: AppContext,
  c: CaseRow,
  stage: number,
  who: { lang: Lang; contact: Contact },
  rendered: Rendered,
  link: string,
  summary: Summary,
): Array<{ channel: Channel; payload: Payload }> {
  const out: Array<{ channel: Channel; payload: Payload }> = [];
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
    if (payload) out.push({ channel: ch, payload });
  }
  return out;
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
  return (await enqueueNotices(ctx, tx, [{ c, stage }])).get(Number(c.id)) ?? [];
}

/**
 * Prepares a batch of notices set-based, in the caller's transaction (so they commit with the case
 * changes): the gate is asked once per measure for the whole batch — one audit record naming every
 * case, subscriber and stage whose contact data is read — except for a consent-based measure, whose
 * answer depends on each subscriber's consent and which is asked (and audited) per subscriber. Then
 * one read of the contacts, one of the evidence summaries, rendering in JS and one multi-row outbox
 * INSERT. A refusal throws and rolls the whole batch back: nothing is read or enqueued without a basis.
 * Returns, per case id, the channels a notice was enqueued on.
 */
export async function enqueueNotices(
  ctx: AppContext,
  tx: Queryable,
  items: Array<{ c: CaseRow; stage: number }>,
  actor = 'worker:cases',
): Promise<Map<number, Channel[]>> {
  const result = new Map<number, Channel[]>();
  if (items.length === 0) return result;
  const byMeasure = new Map<string, Array<{ c: CaseRow; stage: number }>>();
  for (const it of items) {
    if (!byMeasure.has(it.c.measure)) byMeasure.set(it.c.measure, []);
    byMeasure.get(it.c.measure)!.push(it);
  }
  for (const [measure, list] of byMeasure) {
    const data: DataCategory[] = ['subscriber-contact', 'notification'];
    if (list.length === 1 || ctx.measures.get(measure).legalBasis === 'consent') {
      for (const { c, stage } of list)
        await ctx.gate.authorize(
          {
            measure,
            data,
            actor,
            action: 'notice.prepare',
            subscriberId: c.subscriber_id ?? undefined,
            details: { case: Number(c.id), stage },
          },
          tx,
        );
    } else {
      await ctx.gate.authorize(
        {
          measure,
          data,
          actor,
          action: 'notice.prepare',
          subject: `cases:${measure}`,
          details: {
            cases: list.map((x) => Number(x.c.id)),
            subscribers: list.map((x) => x.c.subscriber_id),
            stages: list.map((x) => x.stage),
          },
        },
        tx,
      );
    }
  }
  const ids = items.map((x) => Number(x.c.id));
  const subs = [...new Set(items.map((x) => x.c.subscriber_id).filter((s): s is string => !!s))];
  const contacts = new Map(
    (
      await tx.query<{ id: string; language: Lang; contact: Contact }>(
        'SELECT id, language, contact FROM subscribers WHERE id = ANY($1)',
        [subs],
      )
    ).rows.map((r) => [
      r.id,
      { lang: (r.language === 'en' ? 'en' : 'ja') as Lang, contact: r.contact ?? {} },
    ]),
  );
  const summaries = new Map(
    (
      await tx.query<{ case_id: string; n: string; first: Date | null; last: Date | null }>(
        `SELECT ce.case_id, count(*) FILTER (WHERE NOT ce.duplicate) AS n, min(e.seen_at) AS first, max(e.seen_at) AS last
           FROM case_evidence ce JOIN evidence e ON e.id = ce.evidence_id WHERE ce.case_id = ANY($1)
          GROUP BY ce.case_id`,
        [ids],
      )
    ).rows.map((r) => [Number(r.case_id), { count: Number(r.n), first: r.first, last: r.last }]),
  );
  const instance = await instanceId(tx, ctx.store);
  const secret = await linkSecret(ctx, tx);
  const now = ctx.clock.now();
  const from = ctx.config.smtp.from;
  const rows = {
    caseId: [] as number[],
    stage: [] as number[],
    channel: [] as string[],
    key: [] as string[],
    payload: [] as string[],
    messageId: [] as string[],
  };
  for (const { c, stage } of items) {
    const who = c.subscriber_id ? contacts.get(c.subscriber_id) : undefined;
    const channels: Channel[] = [];
    result.set(Number(c.id), channels);
    if (!who) continue;
    const summary = summaries.get(Number(c.id)) ?? { count: 0, first: null, last: null };
    const link = selfServiceLinkWith(ctx, secret, Number(c.id), c.subscriber_id ?? '');
    const rendered = renderWith(c, stage, who.lang, summary, link);
    for (const { channel, payload } of payloadsFor(ctx, c, stage, who, rendered, link.url, summary)) {
      const key = noticeKey(c.id, stage, channel);
      rows.caseId.push(Number(c.id));
      rows.stage.push(stage);
      rows.channel.push(channel);
      rows.key.push(key);
      rows.payload.push(JSON.stringify(payload));
      rows.messageId.push(messageIdFor(key, instance, from));
      channels.push(channel);
    }
  }
  if (rows.key.length)
    // One statement for the batch; an existing key (a notice already enqueued) stays as it is.
    await tx.query(
      `INSERT INTO notifications (case_id, stage, channel, idempotency_key, status, next_attempt_at, payload, message_id, created_at)
       SELECT u.case_id, u.stage, u.channel, u.key, 'pending', $7, u.payload, u.mid, $7
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
              AS u(case_id, stage, channel, key, payload, mid)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [rows.caseId, rows.stage, rows.channel, rows.key, rows.payload, rows.messageId, now],
    );
  return result;
}
