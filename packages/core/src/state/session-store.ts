import { ReplayWindow, type WindowVerdict } from '../cl1/replay-window.js';
import type { SessionKeyMaterial } from '../cl1/session-keys.js';
import { configError } from '../lib/errors.js';

/** What the server keeps for a session. The keys are secrets: stores must protect them at rest. */
export interface SessionRecord {
  readonly material: SessionKeyMaterial;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly maxMessages: number;
  /** Values the app bound the session to (user id, device id, client IP...), checked on every request. */
  readonly attributes: Readonly<Record<string, string>>;
}

type MaybePromise<T> = T | Promise<T>;

/** A session as loaded for one request: its record, and the atomic counter check. */
export interface StoredSession {
  readonly record: SessionRecord;
  /**
   * Marks `counter` as seen in the session's replay window, atomically: when
   * several server instances share a store, exactly one accepts a counter.
   * Called only after the message authenticated. 'unknown' if the session
   * was revoked, expired or dropped since it was loaded.
   */
  acceptCounter(counter: number): MaybePromise<WindowVerdict | 'unknown'>;
}

/** Where sessions live: the in-memory store below, or a shared one (Redis) for several instances. */
export interface SessionStore {
  save(record: SessionRecord, windowSize: number): MaybePromise<void>;
  /** The session, 'revoked' for a revoked session still within its lifetime, or undefined. */
  load(sessionId: Uint8Array): MaybePromise<StoredSession | 'revoked' | undefined>;
  revoke(sessionId: Uint8Array): MaybePromise<void>;
  /** Replaces the session's attributes (after login, say). */
  bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>): MaybePromise<boolean>;
}

/** How long an expired session is remembered (to answer ERR_SESSION_EXPIRED) before it is dropped. */
export const EXPIRED_GRACE_MS = 10 * 60_000;

/** Map key of a session id: its bytes as a binary string (cheaper than base64 on the hot path). */
function idKey(id: Uint8Array): string {
  // Ids are 16 bytes: spelled out, the call takes no array and no apply.
  if (id.length !== 16) return String.fromCharCode.apply(null, id as unknown as number[]);
  return String.fromCharCode(
    id[0] as number,
    id[1] as number,
    id[2] as number,
    id[3] as number,
    id[4] as number,
    id[5] as number,
    id[6] as number,
    id[7] as number,
    id[8] as number,
    id[9] as number,
    id[10] as number,
    id[11] as number,
    id[12] as number,
    id[13] as number,
    id[14] as number,
    id[15] as number,
  );
}

class MemoryEntry implements StoredSession {
  revoked = false;

  constructor(
    public record: SessionRecord,
    private readonly window: ReplayWindow,
    private readonly clock: () => number,
  ) {}

  acceptCounter(counter: number): WindowVerdict | 'unknown' {
    if (this.revoked || this.record.expiresAt <= this.clock()) return 'unknown';
    return this.window.accept(counter);
  }
}

export interface MemorySessionStoreOptions {
  /** Most sessions kept; the least recently used is dropped beyond it (its client handshakes again). */
  maxSessions?: number;
  clock?: () => number;
}

/** The default store: one process, bounded, expiring, least-recently-used eviction. */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxSessions: number;
  readonly #clock: () => number;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#maxSessions = options.maxSessions ?? 100_000;
    if (!Number.isInteger(this.#maxSessions) || this.#maxSessions < 1)
      throw configError('maxSessions must be a positive integer');
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  save(record: SessionRecord, windowSize: number): void {
    const id = idKey(record.material.sessionId);
    this.#entries.delete(id);
    while (this.#entries.size >= this.#maxSessions) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(id, new MemoryEntry(record, new ReplayWindow(windowSize), this.#clock));
  }

  #entry(sessionId: Uint8Array): MemoryEntry | undefined {
    const id = idKey(sessionId);
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    // An expired session is kept a little longer so its client hears "expired", not "unknown".
    if (entry.record.expiresAt + EXPIRED_GRACE_MS <= this.#clock()) {
      this.#entries.delete(id);
      return undefined;
    }
    // Move to the back: Map order is the LRU order.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  load(sessionId: Uint8Array): StoredSession | 'revoked' | undefined {
    const entry = this.#entry(sessionId);
    if (entry === undefined) return undefined;
    return entry.revoked ? 'revoked' : entry;
  }

  revoke(sessionId: Uint8Array): void {
    const entry = this.#entry(sessionId);
    if (entry !== undefined) entry.revoked = true;
  }

  bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>): boolean {
    const entry = this.#entry(sessionId);
    if (entry === undefined || entry.revoked) return false;
    entry.record = { ...entry.record, attributes: { ...attributes } };
    return true;
  }
}
