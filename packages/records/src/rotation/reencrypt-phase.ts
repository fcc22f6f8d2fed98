import type { SqlClient } from '../db/database.js';
import { nextTurn } from '../lib/next-turn.js';
import { addDigest, DigestSum, formatChecksum, parseChecksum } from './checksum.js';
import { lastId, type PhaseContext } from './phase.js';
import { type ColumnUpdate, idSqlType, readBatch, updateRows } from './table-scan.js';

interface Committed {
  readonly rows: number;
  readonly changed: number;
  readonly checksum: bigint;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * The re-encryption phase. Each batch is one transaction: read the next rows
 * FOR UPDATE, rewrite them, move the job's cursor and checksum, commit. Two
 * batches overlap when the database has connections to spare: while one
 * commits (PostgreSQL's work), the next is read and encrypted (this
 * process's work). Their commits stay in order: a batch writes the job row
 * only after the one before it has committed, and fails if that one failed.
 * Returns false when stopped by the signal.
 */
export async function runReencryptPhase(context: PhaseContext): Promise<boolean> {
  const { db, jobs, table, state, rewriter, activeGeneration, batchSize, signal } = context;
  const idType = await idSqlType(db, table);
  const updatable = table.fields.flatMap((f) => [
    { column: f.column, sqlType: f.storage },
    ...(f.index && state.spec.reindex ? [{ column: f.index.column, sqlType: 'text' as const }] : []),
  ]);
  const overlap = (db.concurrency ?? 1) >= 3;

  let cursor = state.cursor;
  let done = state.rowsDone;
  let changed = state.rowsChanged;
  let thisRun = 0;
  const start: Committed = { rows: 0, changed: 0, checksum: parseChecksum(state.checksumBefore) };
  let previous: Promise<Committed> = Promise.resolve(start);
  let older: Promise<Committed> = previous;

  const batch = (after: string | null, gate: Promise<Committed>, selected: Deferred<string | undefined>) =>
    db.transaction(async (tx: SqlClient): Promise<Committed | undefined> => {
      const rows = await readBatch(tx, table, after, batchSize, true);
      if (rows.length === 0) {
        selected.resolve(undefined);
        return undefined;
      }
      const last = lastId(table, rows);
      selected.resolve(last);
      const digest = new DigestSum();
      const ids: unknown[] = [];
      const columns: ColumnUpdate[] = updatable.map((u) => ({ ...u, values: [] as unknown[] }));
      for (const row of rows) {
        const inspected = await rewriter.inspect(row, 'rewrite', activeGeneration);
        digest.add(inspected.digest);
        if (!inspected.changed) continue;
        ids.push(row[table.id.column]);
        for (const column of columns) column.values.push(inspected.values.get(column.column) ?? null);
      }
      await updateRows(tx, table, idType, ids, columns);
      // In order: the batch before this one has committed (or this one fails with it).
      const before = await gate;
      const checksum = addDigest(before.checksum, digest.value());
      await jobs.advance(tx, state.name, {
        cursor: last,
        rows: rows.length,
        changed: ids.length,
        checksumBefore: formatChecksum(checksum),
      });
      return { rows: rows.length, changed: ids.length, checksum };
    });

  for (;;) {
    // At most two transactions open: the one committing and the one being encrypted.
    await older;
    await nextTurn();
    if (signal?.aborted) {
      await previous;
      return false;
    }
    const selected = deferred<string | undefined>();
    const running = batch(cursor, previous, selected);
    running.catch((error: unknown) => selected.reject(error));
    const committed = running.then((result) => {
      if (result === undefined) return previous;
      done += result.rows;
      changed += result.changed;
      thisRun += result.rows;
      context.report(done, changed, thisRun);
      return result;
    });
    committed.catch(() => undefined);
    const last = await selected.promise;
    if (last === undefined) {
      await committed;
      break;
    }
    cursor = last;
    older = overlap ? previous : committed;
    previous = committed;
  }
  await jobs.startVerify(state.name);
  return true;
}
