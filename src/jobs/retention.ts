import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { DAY_MS } from '../clock/index.js';

/**
 * Protected data kept per measure, and how to find what is past its measure's retention. Capability
 * modules that keep protected data of their own add a target here.
 */
export interface RetentionTarget {
  table: string;
  /** SQL deleting rows of measure $1 older than $2 (timestamptz); must return the deleted count via rowCount. */
  deleteSql: string;
}

export const RETENTION_TARGETS: RetentionTarget[] = [
  { table: 'evidence', deleteSql: 'DELETE FROM evidence WHERE measure = $1 AND seen_at < $2' },
  {
    table: 'notifications',
    deleteSql: `DELETE FROM notifications n USING cases c WHERE n.case_id = c.id AND c.measure = $1
                AND c.closed_at IS NOT NULL AND c.closed_at < $2`,
  },
  {
    table: 'cases',
    deleteSql: 'DELETE FROM cases WHERE measure = $1 AND closed_at IS NOT NULL AND closed_at < $2',
  },
];

/** Deletes protected data past its measure's retention; the purge itself is audited. */
export async function purgeExpired(ctx: AppContext, targets: RetentionTarget[] = RETENTION_TARGETS) {
  const now = ctx.clock.now().getTime();
  const deleted: Record<string, Record<string, number>> = {};
  for (const m of ctx.measures.all()) {
    if (m.retentionDays <= 0) continue;
    const cutoff = new Date(now - m.retentionDays * DAY_MS);
    await ctx.store.transaction(async (tx) => {
      const counts: Record<string, number> = {};
      for (const t of targets) {
        const r = await tx.query(t.deleteSql, [m.name, cutoff]);
        if (r.rowCount > 0) counts[t.table] = r.rowCount;
      }
      if (Object.keys(counts).length > 0) {
        deleted[m.name] = counts;
        await appendAudit(
          tx,
          {
            actor: 'job:retention',
            action: 'retention.purge',
            outcome: 'done',
            measure: m.name,
            legalBasis: m.legalBasis,
            details: { cutoff: cutoff.toISOString(), deleted: counts },
          },
          ctx.clock,
        );
      }
    });
  }
  return deleted;
}
