import type { Client, Pool, PoolClient } from 'pg';
import type { Database, Row, SqlClient } from './database.js';

export interface PgDatabaseOptions {
  /** Whether `close()` ends the pool or client. Default false: whoever made it ends it. */
  readonly owned?: boolean;
}

function isPool(value: Pool | Client): value is Pool {
  return 'totalCount' in value;
}

function asClient(target: Pool | PoolClient | Client): SqlClient {
  return {
    async query<R = Row>(text: string, params?: readonly unknown[]) {
      const result = await target.query(text, params as unknown[] | undefined);
      return { rows: result.rows as R[] };
    },
  };
}

async function inTransaction<T>(
  client: PoolClient | Client,
  fn: (client: SqlClient) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(asClient(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A `pg.Pool` (one pooled connection per transaction) or a single `pg.Client` (transactions run one at a time). */
export function pgDatabase(target: Pool | Client, options: PgDatabaseOptions = {}): Database {
  const base = asClient(target);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    concurrency: isPool(target) ? (target.options.max ?? 10) : 1,
    query: base.query,
    async transaction(fn) {
      if (isPool(target)) {
        const client = await target.connect();
        try {
          return await inTransaction(client, fn);
        } finally {
          client.release();
        }
      }
      // One connection: a second BEGIN must wait for the first COMMIT.
      const run = queue.then(() => inTransaction(target, fn));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      if (options.owned) await target.end();
    },
  };
}
