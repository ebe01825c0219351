import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { YojinError } from '../errors/index.js';
import type { Queryable } from '../store/index.js';

export interface ConsentChange {
  subscriberId: string;
  measure: string;
  granted: boolean;
}

/** Measures a subscriber can opt out of / back into: the consent-based ones (ACTIVE contract model). */
export function consentMeasure(ctx: AppContext, measure: string) {
  if (!ctx.measures.has(measure))
    throw new YojinError('MEASURE_UNKNOWN', `unknown measure "${measure}"`, { measure });
  const m = ctx.measures.get(measure);
  if (m.legalBasis !== 'consent')
    throw new YojinError(
      'CONSENT_NOT_APPLICABLE',
      `measure ${measure} rests on ${m.legalBasis}, not on consent; a subscriber cannot opt out of it here`,
      { measure },
    );
  return m;
}

/**
 * Writes consent choices set-based and, for each one that changed, a change_log row
 * (entity 'consent', entity_id = subscriber id) so the DNS resolver reloads its consent snapshot.
 * Returns the changes actually made.
 */
export async function writeConsents(
  tx: Queryable,
  changes: ConsentChange[],
  via: string,
  at: Date,
): Promise<ConsentChange[]> {
  if (changes.length === 0) return [];
  const r = await tx.query<{ subscriber_id: string; measure: string; granted: boolean }>(
    `WITH i AS (SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[]) AS i(sub, measure, granted)),
     up AS (
       INSERT INTO consents (subscriber_id, measure, granted, changed_at, via)
       SELECT sub, measure, granted, $4, $5 FROM i
       ON CONFLICT (subscriber_id, measure) DO UPDATE
         SET granted = EXCLUDED.granted, changed_at = EXCLUDED.changed_at, via = EXCLUDED.via
         WHERE consents.granted IS DISTINCT FROM EXCLUDED.granted
       RETURNING subscriber_id, measure, granted),
     log AS (
       INSERT INTO change_log (at, entity, entity_id, op, state)
       SELECT $4, 'consent', subscriber_id, 'update',
              jsonb_build_object('subscriber_id', subscriber_id, 'measure', measure, 'granted', granted, 'via', $5::text)
         FROM up)
     SELECT * FROM up`,
    [
      changes.map((c) => c.subscriberId),
      changes.map((c) => c.measure),
      changes.map((c) => c.granted),
      at,
      via,
    ],
  );
  return r.rows.map((x) => ({ subscriberId: x.subscriber_id, measure: x.measure, granted: x.granted }));
}

/**
 * A subscriber's (or the ISP portal's) consent choice for one consent-based measure: stored,
 * change-logged for the DNS resolver, audited. For the self-service page and the API.
 */
export async function setConsent(
  ctx: AppContext,
  subscriberId: string,
  measure: string,
  granted: boolean,
  via: string,
): Promise<{ changed: boolean }> {
  const m = consentMeasure(ctx, measure);
  return ctx.store.transaction(async (tx) => {
    const exists = await tx.query('SELECT 1 FROM subscribers WHERE id = $1', [subscriberId]);
    if (exists.rows.length === 0)
      throw new YojinError('SUBSCRIBER_NOT_FOUND', `no subscriber with id ${subscriberId}`, { subscriberId });
    const changed = await writeConsents(tx, [{ subscriberId, measure, granted }], via, ctx.clock.now());
    await appendAudit(
      tx,
      {
        actor: via,
        action: 'consent.change',
        outcome: 'done',
        measure,
        legalBasis: m.legalBasis,
        subject: `subscriber:${subscriberId}`,
        details: { granted, changed: changed.length > 0 },
      },
      ctx.clock,
    );
    return { changed: changed.length > 0 };
  });
}
