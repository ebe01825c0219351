import type { Queryable } from '../store/index.js';
import type { EnforcedState } from './types.js';

export interface Change {
  serial: number;
  at: string;
  entity: string;
  entity_id: string;
  op: 'add' | 'update' | 'remove';
  state: EnforcedState;
}

/** SQL for the `state` of a change_log row from an indicators row aliased `i`. */
export const STATE_SQL = `jsonb_build_object('kind', i.kind, 'value', i.value, 'category', i.category,
  'scope', i.scope, 'status', i.status, 'confidence', round(i.confidence::numeric, 4),
  'expires_at', to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`;

/**
 * Changes to what is enforced after `serial` (exclusive), oldest first: the DNS server, RPZ
 * (IXFR deltas), the lookup list and TAXII read the list incrementally from here.
 */
export async function changesSince(db: Queryable, serial: number, limit = 10_000): Promise<Change[]> {
  const r = await db.query<Change>(
    `SELECT serial, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, entity, entity_id, op, state
       FROM change_log WHERE serial > $1 ORDER BY serial LIMIT $2`,
    [serial, limit],
  );
  return r.rows;
}

/** The newest serial (0 for an empty log). */
export async function currentSerial(db: Queryable): Promise<number> {
  const r = await db.query<{ s: number }>('SELECT coalesce(max(serial), 0)::bigint AS s FROM change_log');
  return Number(r.rows[0].s);
}

/**
 * Writes change_log rows for indicators whose enforced state differs from a snapshot table `old`
 * (id, status, category, scope; missing = did not exist): becoming active → add, leaving active →
 * remove, active with another category or scope → update. `ids` selects the indicators to compare.
 */
export async function logChanges(
  db: Queryable,
  opts: { oldTable: string; idsSql: string; params: unknown[]; atParam: number },
): Promise<number> {
  const r = await db.query(
    `INSERT INTO change_log (at, entity, entity_id, op, state)
     SELECT $${opts.atParam}, 'indicator', i.id::text,
       CASE WHEN i.status = 'active' AND (o.id IS NULL OR o.status <> 'active') THEN 'add'
            WHEN i.status <> 'active' THEN 'remove' ELSE 'update' END,
       ${STATE_SQL}
     FROM indicators i LEFT JOIN ${opts.oldTable} o ON o.id = i.id
     WHERE i.id IN (${opts.idsSql})
       AND ((i.status = 'active' AND (o.id IS NULL OR o.status <> 'active' OR o.category <> i.category OR o.scope <> i.scope))
         OR (i.status <> 'active' AND o.status = 'active'))
     ORDER BY i.id`,
    opts.params,
  );
  return r.rowCount;
}

/** One change_log row per indicator id given, with its current state (used by single-item actions). */
export async function logIndicatorChange(
  db: Queryable,
  id: number,
  op: 'add' | 'update' | 'remove',
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO change_log (at, entity, entity_id, op, state)
     SELECT $2, 'indicator', i.id::text, $3, ${STATE_SQL} FROM indicators i WHERE i.id = $1`,
    [id, at, op],
  );
}
