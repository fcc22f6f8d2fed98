import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, Row, SqlClient } from './database.js';

export interface PgliteDatabaseOptions {
  /** Whether `close()` closes the PGlite instance. Default false. */
  readonly owned?: boolean;
}

interface Queryable {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

function asClient(target: Queryable): SqlClient {
  return {
    async query<R = Row>(text: string, params?: readonly unknown[]) {
      const result = await target.query<R>(text, params as unknown[] | undefined);
      return { rows: result.rows };
    },
  };
}

/**
 * PGlite, the embedded PostgreSQL: the same SQL as a server, on one
 * connection in process. While a transaction runs, PGlite queues every other
 * query until it ends; so a query made from inside the transaction's own
 * work (a data key looked up while a batch is re-encrypted) joins the
 * transaction instead of waiting for it forever.
 */
export function pgliteDatabase(db: PGlite, options: PgliteDatabaseOptions = {}): Database {
  const base = asClient(db);
  const current = new AsyncLocalStorage<SqlClient>();
  return {
    concurrency: 1,
    query<R = Row>(text: string, params?: readonly unknown[]) {
      return (current.getStore() ?? base).query<R>(text, params);
    },
    transaction(fn) {
      const outer = current.getStore();
      // Already inside one: PGlite has no nested transactions, so the work joins it.
      if (outer !== undefined) return fn(outer);
      return db.transaction((tx) => {
        const client = asClient(tx);
        return current.run(client, () => fn(client));
      });
    },
    async close() {
      if (options.owned) await db.close();
    },
  };
}
