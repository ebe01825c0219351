import type { Queryable } from '../store/index.js';

/** One lifecycle step of an indicator, with who and why. */
export async function addHistory(
  db: Queryable,
  e: {
    indicatorId: number;
    at: Date;
    actor: string;
    action: string;
    from?: string | null;
    to?: string | null;
    reason?: string | null;
    details?: Record<string, unknown>;
  },
) {
  await db.query(
    `INSERT INTO indicator_history (indicator_id, at, actor, action, from_status, to_status, reason, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      e.indicatorId,
      e.at,
      e.actor,
      e.action,
      e.from ?? null,
      e.to ?? null,
      e.reason ?? null,
      JSON.stringify(e.details ?? {}),
    ],
  );
}
