import type { Database } from '../db/database.js';
import type { ResolvedTable } from '../table/definition.js';
import type { JobState, JobStore } from './job-store.js';
import type { RowRewriter } from './row-rewriter.js';

/** What a phase of the re-encryption job works with. */
export interface PhaseContext {
  readonly db: Database;
  readonly jobs: JobStore;
  readonly table: ResolvedTable;
  readonly state: JobState;
  readonly rewriter: RowRewriter;
  readonly activeGeneration: number;
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  /** Called after each batch with the phase's running totals. */
  readonly report: (done: number, changed: number, thisRun: number) => void;
}

export function lastId(table: ResolvedTable, rows: readonly Record<string, unknown>[]): string {
  return String((rows[rows.length - 1] as Record<string, unknown>)[table.id.column]);
}
