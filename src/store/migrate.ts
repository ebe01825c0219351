import { createHash } from 'node:crypto';
import { YojinError } from '../errors/index.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { Store } from './types.js';

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Applies the migrations not yet applied, each in its own transaction, in id order. A migration that
 * was applied with different text is refused (forward-only: ship a new migration instead).
 */
export async function migrate(store: Store, migrations: Migration[] = MIGRATIONS): Promise<MigrationReport> {
  await store.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const m of migrations) {
    const done = await store.transaction(async (tx) => {
      // Serialise concurrent migrators (several processes starting against one server).
      await tx.query('SELECT pg_advisory_xact_lock(7235001)');
      const prior = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE id = $1',
        [m.id],
      );
      if (prior.rows.length > 0) {
        if (prior.rows[0].checksum !== checksum(m.sql)) {
          throw new YojinError(
            'MIGRATION_FAILED',
            `migration ${m.id} was changed after it was applied; migrations are forward-only — add a new one`,
          );
        }
        return false;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new YojinError('MIGRATION_FAILED', `migration ${m.id} failed: ${(err as Error).message}`);
      }
      await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [m.id, checksum(m.sql)]);
      return true;
    });
    if (done) applied.push(m.id);
    else alreadyApplied++;
  }
  return { applied, alreadyApplied };
}
