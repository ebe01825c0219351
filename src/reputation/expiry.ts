import type { AppContext } from '../app/index.js';
import { STATE_SQL } from './changelog.js';

/**
 * Marks active listings past expires_at as expired, one change_log 'remove' each (scheduled in
 * `yojin serve` by reputation.expiry_schedule). Re-observation by an import re-activates them.
 */
export async function expireIndicators(ctx: AppContext): Promise<{ expired: number }> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    const r = await tx.query<{ id: number }>(
      `UPDATE indicators SET status = 'expired', updated_at = $1
        WHERE status = 'active' AND expires_at <= $1 RETURNING id`,
      [now],
    );
    if (r.rows.length === 0) return { expired: 0 };
    const ids = r.rows.map((x) => x.id);
    await tx.query(
      `INSERT INTO change_log (at, entity, entity_id, op, state)
        SELECT $1, 'indicator', i.id::text, 'remove', ${STATE_SQL} FROM indicators i
        WHERE i.id = ANY($2::bigint[]) ORDER BY i.id`,
      [now, ids],
    );
    await tx.query(
      `INSERT INTO indicator_history (indicator_id, at, actor, action, from_status, to_status, reason)
        SELECT id, $1, 'expiry', 'expire', 'active', 'expired', 'not seen again within its TTL'
        FROM unnest($2::bigint[]) AS id`,
      [now, ids],
    );
    ctx.log.info({ expired: ids.length }, 'listings expired');
    return { expired: ids.length };
  });
}
