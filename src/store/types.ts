/** Result of a query, the same shape on every backend. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Something queries can run on: the store itself or a transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements (no parameters, no result): migrations, DDL. */
  exec(sql: string): Promise<void>;
  /**
   * Bulk load with COPY … FROM (CSV). Rows are arrays in `columns` order; null/undefined become NULL.
   * Streams: rows are sent in chunks, memory does not grow with the input. Returns the rows loaded.
   * Rows already encoded elsewhere (`{ encoded }`, chunks of `csvRow` lines, e.g. from a worker
   * thread) are sent as they are.
   */
  copyFrom(table: string, columns: string[], rows: CopyRows): Promise<number>;
}

/** What copyFrom loads: rows, or CSV chunks encoded by `csvChunks`' rules. */
export type CopyRows = AsyncIterable<unknown[]> | Iterable<unknown[]> | EncodedRows;
export interface EncodedRows {
  encoded: AsyncIterable<CsvChunk>;
}
/** CSV text of `count` complete rows. */
export interface CsvChunk {
  text: string;
  count: number;
}

export type StoreKind = 'pglite' | 'postgres';

/**
 * The store: PostgreSQL, embedded (PGlite) or a server. Every capability talks to this interface;
 * `store.conformance.ts` is the suite both backends pass.
 */
export interface Store extends Queryable {
  readonly kind: StoreKind;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** True when a trivial query succeeds (used by /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
