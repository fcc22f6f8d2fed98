import type { BlindIndexer } from '../blind-index/blind-index.js';
import type { Database } from '../db/database.js';
import type { FieldCipher } from '../fields/field-cipher.js';
import type { KeyHierarchy } from '../keys/key-hierarchy.js';
import { configError, integerInRange, isPlainObject, nonEmptyString, onlyKnownKeys } from '../lib/options.js';
import type { ResolvedTable } from '../table/definition.js';
import type { JobPhase, JobProblem, JobSpec, JobState, JobStore } from './job-store.js';
import type { PhaseContext } from './phase.js';
import { runReencryptPhase } from './reencrypt-phase.js';
import { RowRewriter } from './row-rewriter.js';
import { countRows } from './table-scan.js';
import { runVerifyPhase } from './verify-phase.js';

export interface ReencryptJobOptions {
  /** The job's identity: running a job of the same name again resumes it (or returns its result when done). */
  readonly name: string;
  /** Rows per batch, and per transaction (default 2000). */
  readonly batchSize?: number;
  /** Data keys to move away from (default: every data key that is retiring when the job is created). */
  readonly fromKeys?: readonly string[];
  /** Recompute blind indexes made under an older index root key (default true). */
  readonly reindex?: boolean;
  /**
   * Compare a checksum of every plaintext before and after (default true).
   * It assumes the encrypted fields are not written while the job runs;
   * with concurrent writes, set false: verification still decrypts every field.
   */
  readonly checksum?: boolean;
  /** Start again from the first row, even if the job exists. */
  readonly restart?: boolean;
  readonly onProgress?: (progress: JobProgress) => void;
  /** Stops between batches; a stopped job resumes where it stopped. */
  readonly signal?: AbortSignal;
}

export interface JobProgress {
  readonly name: string;
  readonly phase: 'reencrypt' | 'verify';
  /** Rows done in this phase, including earlier runs of the job. */
  readonly rowsDone: number;
  readonly rowsTotal: number;
  /** Rows re-encrypted or re-indexed so far. */
  readonly rowsChanged: number;
  /** Rows per second in this run of this phase. */
  readonly rowsPerSecond: number;
  readonly elapsedMs: number;
}

export interface JobResult {
  readonly name: string;
  /** done: every row verified; failed: see problems; stopped: the signal fired (run again to resume). */
  readonly outcome: 'done' | 'failed' | 'stopped';
  readonly rowsTotal: number;
  readonly rowsDone: number;
  readonly rowsChanged: number;
  readonly rowsVerified: number;
  readonly checksumBefore: string;
  readonly checksumAfter: string;
  readonly problems: readonly JobProblem[];
  /** How many times the job has been started, this run included. */
  readonly runs: number;
  /** This run only. */
  readonly durationMs: number;
}

export interface JobDependencies {
  readonly db: Database;
  readonly jobs: JobStore;
  readonly keys: KeyHierarchy;
  readonly cipher: FieldCipher;
  readonly indexer: BlindIndexer;
}

function checkOptions(
  options: ReencryptJobOptions,
): Required<Omit<ReencryptJobOptions, 'fromKeys' | 'onProgress' | 'signal'>> {
  if (!isPlainObject(options as unknown))
    throw configError('reencrypt job options must be an object: { name, ... }');
  onlyKnownKeys('reencrypt job', options, [
    'name',
    'batchSize',
    'fromKeys',
    'reindex',
    'checksum',
    'restart',
    'onProgress',
    'signal',
  ]);
  if (
    options.fromKeys !== undefined &&
    !(Array.isArray(options.fromKeys) && options.fromKeys.every((k) => /^[0-9a-f]{16}$/.test(k)))
  )
    throw configError('reencrypt job fromKeys must be a list of data key ids (16 hex digits)');
  for (const flag of ['reindex', 'checksum', 'restart'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean')
      throw configError(`reencrypt job ${flag} must be true or false`);
  }
  return {
    name: nonEmptyString('reencrypt job name', options.name),
    batchSize:
      options.batchSize === undefined
        ? 2000
        : integerInRange('reencrypt job batchSize', options.batchSize, 1, 50_000),
    reindex: options.reindex ?? true,
    checksum: options.checksum ?? true,
    restart: options.restart ?? false,
  };
}

/**
 * Data key rotation, second step: every field under a retiring data key is
 * decrypted and encrypted again under the active key of its scope, in
 * batches. Each batch reads its rows FOR UPDATE, rewrites them and moves the
 * job's cursor in one transaction, so the job can be killed at any moment
 * and run again: it resumes after the last committed batch, and a row done
 * twice is only re-encrypted once (its keys are no longer retiring). Then it
 * verifies: every row decrypts, no field is under a retiring key, every
 * blind index is current, and the checksum of all plaintexts is the one
 * taken before.
 */
export class ReencryptJob {
  readonly #deps: JobDependencies;
  readonly #table: ResolvedTable;
  readonly #options: ReencryptJobOptions;
  readonly #checked: ReturnType<typeof checkOptions>;

  constructor(deps: JobDependencies, table: ResolvedTable, options: ReencryptJobOptions) {
    this.#deps = deps;
    this.#table = table;
    this.#options = options;
    this.#checked = checkOptions(options);
  }

  get name(): string {
    return this.#checked.name;
  }

  status(): Promise<JobState | undefined> {
    return this.#deps.jobs.get(this.name);
  }

  async run(): Promise<JobResult> {
    const started = Date.now();
    const { db, jobs, keys } = this.#deps;
    const total = await countRows(db, this.#table);
    const fromKeys =
      this.#options.fromKeys ??
      (await keys.store.list({ purpose: 'data', states: ['retiring'] })).map((k) => k.id);
    const spec: JobSpec = {
      fromKeys,
      reindex: this.#checked.reindex,
      checksum: this.#checked.checksum,
      columns: this.#table.fields.map((f) => f.column),
    };
    let state = await jobs.open(this.name, this.#table.table, spec, total);
    if (state.target !== this.#table.table || state.spec.columns.join() !== spec.columns.join())
      throw configError(
        `job ${this.name} was created for ${state.target} (${state.spec.columns.join(', ')}); give this run another name`,
      );
    if (this.#checked.restart || state.phase === 'failed') {
      await jobs.restart(this.name, total);
      state = (await jobs.get(this.name)) as JobState;
    }
    if (state.phase === 'reencrypt') {
      const context = this.#context(state, await this.#activeGeneration(state), 'reencrypt', total);
      if (!(await runReencryptPhase(context))) return this.#result('stopped', started);
      state = (await jobs.get(this.name)) as JobState;
    }
    if (state.phase === 'verify') {
      const context = this.#context(state, await this.#activeGeneration(state), 'verify', total);
      if (!(await runVerifyPhase(context))) return this.#result('stopped', started);
    }
    return this.#result(undefined, started);
  }

  #context(
    state: JobState,
    activeGeneration: number,
    phase: 'reencrypt' | 'verify',
    total: number,
  ): PhaseContext {
    const runStart = Date.now();
    return {
      db: this.#deps.db,
      jobs: this.#deps.jobs,
      table: this.#table,
      state,
      rewriter: new RowRewriter(
        this.#table,
        this.#deps.cipher,
        this.#deps.indexer,
        new Set(state.spec.fromKeys),
        state.spec.reindex,
      ),
      activeGeneration,
      batchSize: this.#checked.batchSize,
      signal: this.#options.signal,
      report: (done, changed, thisRun) => this.#report(phase, done, total, changed, thisRun, runStart),
    };
  }

  async #activeGeneration(state: JobState): Promise<number> {
    const indexed = state.spec.reindex && this.#table.fields.some((f) => f.index);
    return indexed ? this.#deps.indexer.activeGeneration() : 0;
  }

  #report(
    phase: 'reencrypt' | 'verify',
    done: number,
    total: number,
    changed: number,
    thisRun: number,
    runStart: number,
  ): void {
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return;
    const elapsedMs = Date.now() - runStart;
    onProgress({
      name: this.name,
      phase,
      rowsDone: done,
      rowsTotal: Math.max(total, done),
      rowsChanged: changed,
      rowsPerSecond: elapsedMs > 0 ? Math.round((thisRun * 1000) / elapsedMs) : 0,
      elapsedMs,
    });
  }

  async #result(stopped: 'stopped' | undefined, started: number): Promise<JobResult> {
    const state = (await this.#deps.jobs.get(this.name)) as JobState;
    const outcome: JobResult['outcome'] = stopped ?? (state.phase === 'done' ? 'done' : 'failed');
    return {
      name: state.name,
      outcome,
      rowsTotal: state.rowsTotal,
      rowsDone: state.rowsDone,
      rowsChanged: state.rowsChanged,
      rowsVerified: state.rowsVerified,
      checksumBefore: state.checksumBefore,
      checksumAfter: state.checksumAfter,
      problems: state.problems,
      runs: state.runs,
      durationMs: Date.now() - started,
    };
  }
}

export type { JobPhase, JobProblem, JobState };
