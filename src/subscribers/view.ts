import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';

export interface SubscriberView {
  id: string;
  language: 'ja' | 'en';
  contact: Record<string, unknown>;
  consents: Array<{ measure: string; granted: boolean; changed_at: string; via: string }>;
  created_at: string;
  updated_at: string;
}

/**
 * A subscriber's record, contact data included. Contact data is protected: the view is made on
 * behalf of a measure (no measure, no view) and the gate decides and audits it before anything is read.
 */
export async function viewSubscriber(
  ctx: AppContext,
  id: string,
  req: { measure?: string; actor: string },
): Promise<SubscriberView> {
  if (!req.measure)
    throw new YojinError(
      'REQUEST_INVALID',
      'viewing a subscriber needs the measure it is done for (e.g. ?measure=notify-infected); every view is audited',
    );
  const measure = req.measure;
  // Asked on the store, not in the read's transaction: a refusal must stay in the audit log even
  // though the request then fails.
  await ctx.gate.authorize({
    measure,
    data: ['subscriber-contact'],
    actor: req.actor,
    action: 'subscriber.view',
    subscriberId: id,
  });
  return ctx.store.transaction(async (tx) => {
    const found = await tx.query<{ id: string }>('SELECT id FROM subscribers WHERE id = $1', [id]);
    if (found.rows.length === 0) throw new YojinError('SUBSCRIBER_NOT_FOUND', `no subscriber with id ${id}`);
    const s = await tx.query<{
      id: string;
      language: 'ja' | 'en';
      contact: Record<string, unknown>;
      created_at: Date;
      updated_at: Date;
    }>('SELECT id, language, contact, created_at, updated_at FROM subscribers WHERE id = $1', [id]);
    const c = await tx.query<{ measure: string; granted: boolean; changed_at: Date; via: string }>(
      'SELECT measure, granted, changed_at, via FROM consents WHERE subscriber_id = $1 ORDER BY measure',
      [id],
    );
    const row = s.rows[0];
    return {
      id: row.id,
      language: row.language,
      contact: row.contact,
      consents: c.rows.map((x) => ({ ...x, changed_at: new Date(x.changed_at).toISOString() })),
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    };
  });
}
