import type { Config } from '../config/index.js';
import { PGliteStore } from './pglite.js';
import { PostgresStore } from './postgres.js';
import type { Store } from './types.js';

export { type MigrationReport, migrate } from './migrate.js';
export { PGliteStore } from './pglite.js';
export { PostgresStore, redact } from './postgres.js';
export type { CopyRows, CsvChunk, EncodedRows, Queryable, QueryResult, Store, StoreKind } from './types.js';

/** The store the config names: a PostgreSQL server when database.url is set, else PGlite in data_dir. */
export function openStore(config: Pick<Config, 'database' | 'data_dir'>): Promise<Store> {
  if (config.database.url) return PostgresStore.open(config.database.url, config.database.pool_max);
  return PGliteStore.open(config.data_dir);
}
