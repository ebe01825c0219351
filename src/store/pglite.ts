import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, type Transaction, types } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { YojinError } from '../errors/index.js';
import { copyChunks, copySql } from './csv.js';
import type { CopyRows, Queryable, QueryResult, Store } from './types.js';

// Same value types as the server backend (see postgres.ts): int8 and numeric as JS numbers.
const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.NUMERIC]: (v: string) => Number(v),
};

type PGliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

function queryable(db: PGliteLike): Queryable {
  return {
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await db.query<R>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async copyFrom(table, columns, rows) {
      let total = 0;
      for await (const chunk of copyChunks(rows)) {
        await db.query(copySql(table, columns, `'/dev/blob'`), [], { blob: new Blob([chunk.text]) });
        total += chunk.count;
      }
      return total;
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) in a data directory. One process owns the directory at a
 * time: a pid lock file refuses a second opener with STORE_LOCKED instead of corrupting the data.
 */
export class PGliteStore implements Store {
  readonly kind = 'pglite' as const;
  private readonly q: Queryable;

  private constructor(
    private readonly db: PGlite,
    private readonly lockFile: string | undefined,
  ) {
    this.q = queryable(db);
  }

  /** `dataDir` undefined → in memory (tests); `loadDataDir` starts from a dump (see dump()). */
  static async open(dataDir?: string, opts: { loadDataDir?: Blob } = {}): Promise<PGliteStore> {
    let lockFile: string | undefined;
    let path: string | undefined;
    if (dataDir) {
      const dir = resolve(dataDir);
      mkdirSync(dir, { recursive: true });
      lockFile = join(dir, 'yojin.pid');
      acquireLock(lockFile);
      path = join(dir, 'pgdata');
    }
    try {
      const db = await PGlite.create(path ?? 'memory://', {
        extensions: { btree_gist },
        parsers,
        loadDataDir: opts.loadDataDir,
      });
      return new PGliteStore(db, lockFile);
    } catch (err) {
      if (lockFile) rmSync(lockFile, { force: true });
      throw new YojinError(
        'STORE_UNAVAILABLE',
        `cannot open the embedded store in ${dataDir}: ${(err as Error).message}`,
      );
    }
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]) {
    return this.q.query<R>(sql, params);
  }

  exec(sql: string) {
    return this.q.exec(sql);
  }

  copyFrom(table: string, columns: string[], rows: CopyRows) {
    return this.q.copyFrom(table, columns, rows);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(queryable(tx)));
  }

  /** A tarball of the whole database (PGlite's data directory), loadable with open(…, {loadDataDir}). */
  async dump(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  async ping() {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close() {
    await this.db.close();
    if (this.lockFile) rmSync(this.lockFile, { force: true });
  }
}

function acquireLock(lockFile: string) {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new YojinError(
        'STORE_LOCKED',
        `the embedded store is in use by another yojin process (pid ${pid}). Stop it, use its HTTP API, or run both against PostgreSQL (YOJIN_DATABASE_URL).`,
        { pid },
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
