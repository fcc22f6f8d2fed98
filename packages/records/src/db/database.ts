/**
 * The little this package needs from a PostgreSQL driver: parameterised
 * queries, and a transaction that runs a function on one connection. `pg`
 * (Pool or Client) and PGlite are adapted in pg.ts and pglite.ts; the SQL is
 * the same on both.
 */

export type Row = Record<string, unknown>;

export interface SqlClient {
  query<R = Row>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

export interface Database extends SqlClient {
  /**
   * How many statements can run at once (a pool's size; 1 for one
   * connection). The re-encryption job overlaps two batches only with three
   * or more: two transactions and one for the keys table.
   */
  readonly concurrency?: number;
  /** Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T>;
  /** Closes the pool or database when this adapter owns it (see each adapter's options). */
  close(): Promise<void>;
}
