import type { Row } from '../db/database.js';
import { nextTurn } from '../lib/next-turn.js';
import { addDigest, DigestSum, formatChecksum, parseChecksum } from './checksum.js';
import type { JobProblem, JobState } from './job-store.js';
import { lastId, type PhaseContext } from './phase.js';
import { readBatch } from './table-scan.js';

/** At most this many problems are kept in the job row; the counts stay exact. */
const MAX_PROBLEMS = 100;

/**
 * The verification phase: every row read again (the next batch is read while
 * this one is checked), every field decrypted, its key and blind index
 * checked, the checksum of plaintexts taken. Its cursor and running totals
 * are stored after each batch, so it resumes too. Ends the job: done, or
 * failed with the problems. Returns false when stopped by the signal.
 */
export async function runVerifyPhase(context: PhaseContext): Promise<boolean> {
  const { db, jobs, table, state, rewriter, activeGeneration, batchSize, signal } = context;
  let cursor = state.cursor;
  let checksum = parseChecksum(state.checksumAfter);
  let verified = state.rowsVerified;
  let thisRun = 0;
  const problems: JobProblem[] = [...state.problems];
  let next: Promise<Row[]> = readBatch(db, table, cursor, batchSize, false);
  for (;;) {
    const rows = await next;
    if (rows.length === 0) break;
    await nextTurn();
    if (signal?.aborted) return false;
    cursor = lastId(table, rows);
    next = readBatch(db, table, cursor, batchSize, false);
    next.catch(() => undefined);
    const digest = new DigestSum();
    for (const row of rows) {
      const inspected = await rewriter.inspect(row, 'verify', activeGeneration);
      digest.add(inspected.digest);
      for (const problem of inspected.problems) if (problems.length < MAX_PROBLEMS) problems.push(problem);
    }
    checksum = addDigest(checksum, digest.value());
    verified += rows.length;
    thisRun += rows.length;
    await jobs.advanceVerify(state.name, {
      cursor,
      rows: rows.length,
      checksumAfter: formatChecksum(checksum),
      problems,
    });
    context.report(verified, state.rowsChanged, thisRun);
  }
  const final = (await jobs.get(state.name)) as JobState;
  if (final.spec.checksum) {
    if (final.checksumBefore !== final.checksumAfter)
      problems.push({
        row: '*',
        problem: 'the checksum of plaintexts after the job differs from the one before',
      });
    if (final.rowsDone !== final.rowsVerified)
      problems.push({
        row: '*',
        problem: `${final.rowsDone} rows were re-encrypted but ${final.rowsVerified} verified`,
      });
  }
  await jobs.finish(state.name, problems.length === 0 ? 'done' : 'failed', problems);
  return true;
}
