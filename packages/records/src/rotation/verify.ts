import type { BlindIndexer } from '../blind-index/blind-index.js';
import type { Database } from '../db/database.js';
import type { FieldCipher } from '../fields/field-cipher.js';
import type { KeyHierarchy } from '../keys/key-hierarchy.js';
import type { ResolvedTable } from '../table/definition.js';
import { addDigest, DigestSum, formatChecksum } from './checksum.js';
import type { JobProblem } from './job-store.js';
import { RowRewriter } from './row-rewriter.js';
import { readBatch } from './table-scan.js';

export interface VerifyOptions {
  /** Report fields still under these data keys as problems (default: the keys that are retiring now). */
  readonly fromKeys?: readonly string[];
  /** Check that every blind index is the one the active index key makes (default true). */
  readonly checkIndexes?: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (rowsDone: number) => void;
}

export interface VerifyReport {
  readonly rows: number;
  /** Encrypted fields per data key id: a key with no fields left in any table can be retired. */
  readonly fieldsByKey: Readonly<Record<string, number>>;
  readonly problems: readonly JobProblem[];
  /** Sum of per-row SHA-256 over the plaintexts (see rotation/checksum.ts): equal tables, equal checksums. */
  readonly checksum: string;
}

/**
 * Reads a whole table and decrypts every field, without changing anything:
 * the check to run before retiring a key, or after a restore.
 */
export async function verifyTable(
  deps: { db: Database; keys: KeyHierarchy; cipher: FieldCipher; indexer: BlindIndexer },
  table: ResolvedTable,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const fromKeys =
    options.fromKeys ??
    (await deps.keys.store.list({ purpose: 'data', states: ['retiring'] })).map((k) => k.id);
  const checkIndexes = options.checkIndexes ?? true;
  const rewriter = new RowRewriter(table, deps.cipher, deps.indexer, new Set(fromKeys), checkIndexes);
  const generation =
    checkIndexes && table.fields.some((f) => f.index) ? await deps.indexer.activeGeneration() : 0;
  const fieldsByKey: Record<string, number> = {};
  const problems: JobProblem[] = [];
  let checksum = 0n;
  let rows = 0;
  let cursor: string | null = null;
  for (;;) {
    const batch = await readBatch(deps.db, table, cursor, options.batchSize ?? 2000, false);
    if (batch.length === 0) break;
    const digest = new DigestSum();
    for (const row of batch) {
      const inspected = await rewriter.inspect(row, 'verify-indexes', generation);
      digest.add(inspected.digest);
      for (const id of inspected.keyIds) fieldsByKey[id] = (fieldsByKey[id] ?? 0) + 1;
      problems.push(...inspected.problems);
    }
    checksum = addDigest(checksum, digest.value());
    rows += batch.length;
    cursor = String((batch[batch.length - 1] as Record<string, unknown>)[table.id.column]);
    options.onProgress?.(rows);
  }
  return { rows, fieldsByKey, problems, checksum: formatChecksum(checksum) };
}
