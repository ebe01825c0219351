import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { YojinError } from '../errors/index.js';
import { copyChunks, copySql } from './csv.js';
import type { CopyRows, Queryable, QueryResult, Store } from './types.js';

// Same value types as the embedded backend (see pglite.ts): int8 and numeric as JS numbers.
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

type Client = pg.Pool | pg.PoolClient;

function queryable(client: Client): Queryable {
  return {
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      const r = await client.query({ text: sql, values: params, types: typeParsers });
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async copyFrom(table, columns, rows) {
      const run = async (c: pg.PoolClient) => {
        let total = 0;
        const source = Readable.from(
          (async function* () {
            for await (const chunk of copyChunks(rows, 256 * 1024)) {
              total += chunk.count;
              yield chunk.text;
            }
          })(),
        );
        await pipeline(source, c.query(copyStreams.from(copySql(table, columns, 'STDIN'))));
        return total;
      };
      if (client instanceof pg.Pool) {
        const c = await client.connect();
        try {
          return await run(c);
        } finally {
          c.release();
        }
      }
      return run(client);
    },
  };
}

/** A PostgreSQL server through a `pg` pool (YOJIN_DATABASE_URL). */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly q: Queryable;

  private constructor(private readonly pool: pg.Pool) {
    this.q = queryable(pool);
  }

  static async open(url: string, poolMax = 10): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: poolMax });
    pool.on('error', () => {
      /* idle client errors surface on the next query; don't crash the process */
    });
    try {
      const c = await pool.connect();
      c.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new YojinError(
        'STORE_UNAVAILABLE',
        `cannot connect to PostgreSQL at ${redact(url)}: ${(err as Error).message}`,
      );
    }
    return new PostgresStore(pool);
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

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const result = await fn(queryable(c));
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  async ping() {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close() {
    await this.pool.end();
  }
}

/** A database URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
