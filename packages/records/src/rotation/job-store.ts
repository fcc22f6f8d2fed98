import type { Database, SqlClient } from '../db/database.js';
import type { PackageTables } from '../db/migrations.js';

/**
 * The jobs table (cipherlayer_jobs): one row per named job, holding its
 * cursor and running totals. A batch and the job row's update commit in one
 * transaction, so after a kill the row says exactly what was done.
 */

export type JobPhase = 'reencrypt' | 'verify' | 'done' | 'failed';

export interface JobProblem {
  readonly row: string;
  readonly field?: string;
  readonly problem: string;
}

export interface JobSpec {
  /** Data keys whose fields are re-encrypted (those retiring when the job was created). */
  readonly fromKeys: readonly string[];
  readonly reindex: boolean;
  readonly checksum: boolean;
  /** The encrypted columns at creation: a resumed job must see the same definition. */
  readonly columns: readonly string[];
}

export interface JobState {
  readonly name: string;
  readonly target: string;
  readonly spec: JobSpec;
  readonly phase: JobPhase;
  readonly cursor: string | null;
  readonly rowsTotal: number;
  readonly rowsDone: number;
  readonly rowsChanged: number;
  readonly rowsVerified: number;
  readonly checksumBefore: string;
  readonly checksumAfter: string;
  readonly problems: readonly JobProblem[];
  readonly runs: number;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

interface JobRow {
  name: string;
  target: string;
  spec: JobSpec | string;
  phase: JobPhase;
  cursor: string | null;
  rows_total: string;
  rows_done: string;
  rows_changed: string;
  rows_verified: string;
  checksum_before: string;
  checksum_after: string;
  problems: JobProblem[] | string;
  runs: number;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `name, target, spec, phase, cursor, rows_total::text AS rows_total, rows_done::text AS rows_done,
  rows_changed::text AS rows_changed, rows_verified::text AS rows_verified, checksum_before, checksum_after,
  problems, runs, created_at, finished_at`;

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function toState(row: JobRow): JobState {
  return {
    name: row.name,
    target: row.target,
    spec: json(row.spec),
    phase: row.phase,
    cursor: row.cursor,
    rowsTotal: Number(row.rows_total),
    rowsDone: Number(row.rows_done),
    rowsChanged: Number(row.rows_changed),
    rowsVerified: Number(row.rows_verified),
    checksumBefore: row.checksum_before,
    checksumAfter: row.checksum_after,
    problems: json(row.problems),
    runs: Number(row.runs),
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
  };
}

export class JobStore {
  readonly #db: Database;
  readonly #table: string;

  constructor(db: Database, tables: PackageTables) {
    this.#db = db;
    this.#table = tables.jobs;
  }

  /** Creates the job unless it exists; either way returns its state and counts this run. */
  async open(name: string, target: string, spec: JobSpec, rowsTotal: number): Promise<JobState> {
    await this.#db.query(
      `INSERT INTO ${this.#table} (name, kind, target, spec, phase, rows_total)
       VALUES ($1, 'reencrypt', $2, $3, 'reencrypt', $4) ON CONFLICT (name) DO NOTHING`,
      [name, target, JSON.stringify(spec), rowsTotal],
    );
    const { rows } = await this.#db.query<JobRow>(
      `UPDATE ${this.#table} SET runs = runs + 1, updated_at = now() WHERE name = $1 RETURNING ${COLUMNS}`,
      [name],
    );
    return toState(rows[0] as JobRow);
  }

  async get(name: string): Promise<JobState | undefined> {
    const { rows } = await this.#db.query<JobRow>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE name = $1`, [
      name,
    ]);
    return rows[0] && toState(rows[0]);
  }

  async list(): Promise<JobState[]> {
    const { rows } = await this.#db.query<JobRow>(
      `SELECT ${COLUMNS} FROM ${this.#table} ORDER BY created_at`,
    );
    return rows.map(toState);
  }

  /** One re-encryption batch done: in the batch's own transaction. */
  async advance(
    client: SqlClient,
    name: string,
    step: { cursor: string; rows: number; changed: number; checksumBefore: string },
  ): Promise<void> {
    await client.query(
      `UPDATE ${this.#table} SET cursor = $2, rows_done = rows_done + $3, rows_changed = rows_changed + $4,
         checksum_before = $5, updated_at = now() WHERE name = $1`,
      [name, step.cursor, step.rows, step.changed, step.checksumBefore],
    );
  }

  async startVerify(name: string): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#table} SET phase = 'verify', cursor = NULL, rows_verified = 0, checksum_after = '0',
         problems = '[]', updated_at = now() WHERE name = $1 AND phase = 'reencrypt'`,
      [name],
    );
  }

  async advanceVerify(
    name: string,
    step: { cursor: string; rows: number; checksumAfter: string; problems: readonly JobProblem[] },
  ): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#table} SET cursor = $2, rows_verified = rows_verified + $3, checksum_after = $4,
         problems = $5, updated_at = now() WHERE name = $1`,
      [name, step.cursor, step.rows, step.checksumAfter, JSON.stringify(step.problems)],
    );
  }

  async finish(name: string, phase: 'done' | 'failed', problems: readonly JobProblem[]): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#table} SET phase = $2, problems = $3, finished_at = now(), updated_at = now() WHERE name = $1`,
      [name, phase, JSON.stringify(problems)],
    );
  }

  /** Back to the start of the re-encryption phase (a failed verification, or restart: true). */
  async restart(name: string, rowsTotal: number): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#table} SET phase = 'reencrypt', cursor = NULL, rows_total = $2, rows_done = 0, rows_changed = 0,
         rows_verified = 0, checksum_before = '0', checksum_after = '0', problems = '[]', finished_at = NULL,
         updated_at = now() WHERE name = $1`,
      [name, rowsTotal],
    );
  }
}
