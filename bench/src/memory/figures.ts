/**
 * The memory figures: what the session-heap child prints, parsed and
 * turned into bytes per session. Pure, so the bench's tests check it.
 */

export const MEMORY_LINE_PREFIX = 'MEMORY ';

/** process.memoryUsage() after two full collections, bytes. */
export interface MemorySample {
  readonly heapUsed: number;
  /** Memory of C++ objects bound to JS ones, ArrayBuffers included. */
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
}

export interface SessionHeapRun {
  /** Handshakes made. */
  readonly sessions: number;
  /** Sessions in the store at the end (all of them: the store is unbounded here). */
  readonly stored: number;
  /** Before the handshakes (after a warm-up). */
  readonly before: MemorySample;
  /** With the sessions stored. */
  readonly withSessions: MemorySample;
  /** After the store was let go: what is left is the handshake replay cache. */
  readonly withoutSessions: MemorySample;
}

const SAMPLE_FIELDS = ['heapUsed', 'external', 'arrayBuffers', 'rss'] as const;

function isSample(value: unknown): value is MemorySample {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return SAMPLE_FIELDS.every(
    (f) => typeof v[f] === 'number' && Number.isFinite(v[f]) && (v[f] as number) >= 0,
  );
}

/** The figures in the child's output (the last `MEMORY {...}` line); throws with a message if absent or malformed. */
export function parseSessionHeap(output: string): SessionHeapRun {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MEMORY_LINE_PREFIX));
  if (line === undefined) throw new Error('the memory child printed no MEMORY line');
  let value: unknown;
  try {
    value = JSON.parse(line.slice(MEMORY_LINE_PREFIX.length));
  } catch {
    throw new Error('the memory child printed a MEMORY line that is not JSON');
  }
  const v = value as Partial<Record<keyof SessionHeapRun, unknown>>;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Number.isInteger(v.sessions) ||
    (v.sessions as number) < 1 ||
    !Number.isInteger(v.stored) ||
    !isSample(v.before) ||
    !isSample(v.withSessions) ||
    !isSample(v.withoutSessions)
  )
    throw new Error('the memory child printed a MEMORY line without the expected figures');
  return value as SessionHeapRun;
}

export interface SessionMemory {
  readonly sessions: number;
  /** JS heap held by the sessions, per session. */
  readonly heapPerSession: number;
  /** Outside the JS heap (ArrayBuffers, key objects), per session. */
  readonly externalPerSession: number;
  /** Both, per session. */
  readonly totalPerSession: number;
  /** Both, for 10,000 sessions, MiB. */
  readonly mibPer10k: number;
  /** What the handshake replay cache held per handshake (heap + external), besides the sessions. */
  readonly replayCachePerHandshake: number;
  /** Every session was still in the store when measured. */
  readonly complete: boolean;
}

const total = (s: MemorySample) => s.heapUsed + s.external;

/** Bytes per session: the store's share (with − without), and the rest (without − before). */
export function sessionMemory(run: SessionHeapRun): SessionMemory {
  const heap = run.withSessions.heapUsed - run.withoutSessions.heapUsed;
  const external = run.withSessions.external - run.withoutSessions.external;
  const perSession = (heap + external) / run.sessions;
  return {
    sessions: run.sessions,
    heapPerSession: heap / run.sessions,
    externalPerSession: external / run.sessions,
    totalPerSession: perSession,
    mibPer10k: (perSession * 10_000) / 2 ** 20,
    replayCachePerHandshake: (total(run.withoutSessions) - total(run.before)) / run.sessions,
    complete: run.stored === run.sessions,
  };
}
