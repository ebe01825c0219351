import type { Queryable } from '../store/index.js';

/**
 * Puts a subscriber in the walled garden as the cases module does when a case reaches that step
 * (src/cases/cycle.ts): an open case, the walled_garden row, and the change-log entry the DNS resolver
 * and the warning page react to. For tests of the consumers, which should not drive a whole escalation.
 */
export async function putInWalledGarden(db: Queryable, subscriberId: string, redirectTo: string) {
  const c = await db.query<{ id: string }>(
    `INSERT INTO cases (kind, subscriber_id, measure, legal_basis, opened_at, updated_at)
     VALUES ('subscriber', $1, 'notify-infected', 'emergency-evacuation', now(), now()) RETURNING id`,
    [subscriberId],
  );
  await db.query(
    `INSERT INTO walled_garden (case_id, subscriber_id, measure, redirect_to, since)
     VALUES ($1, $2, 'notify-infected', $3, now())`,
    [c.rows[0].id, subscriberId, redirectTo],
  );
  await db.query(`INSERT INTO change_log (entity, entity_id, op) VALUES ('walled-garden', $1, 'add')`, [
    subscriberId,
  ]);
}
