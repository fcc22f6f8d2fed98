import type { Database, Row, SqlClient } from '@cipherlayer/records';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite runs in this thread and answers queries without any I/O, so a
 * records job on it is one long chain of promise continuations: signal
 * handlers, timers and the progress display never get a turn until the job
 * ends, and Ctrl-C could not stop it between batches. Yielding one event
 * loop turn before each query and transaction gives them that turn (a few
 * microseconds per query).
 */
export function yieldingDatabase(db: Database): Database {
  return {
    ...db,
    async query<R = Row>(text: string, params?: readonly unknown[]) {
      await nextTurn();
      return db.query<R>(text, params);
    },
    async transaction<T>(fn: (client: SqlClient) => Promise<T>) {
      await nextTurn();
      return db.transaction(fn);
    },
    close: () => db.close(),
  };
}
