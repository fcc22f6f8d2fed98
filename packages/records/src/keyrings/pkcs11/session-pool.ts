import { CipherlayerError } from '@cipherlayer/core';

export interface SessionPoolStats {
  /** Sessions the pool holds. */
  readonly size: number;
  /** Sessions running an operation now. */
  readonly inUse: number;
  /** Operations waiting for a session. */
  readonly waiting: number;
  /** The most sessions ever in use at once. */
  readonly peakInUse: number;
}

interface Waiter<S> {
  resolve(session: S): void;
  reject(error: unknown): void;
}

/**
 * A fixed set of sessions handed out one operation at a time, in arrival
 * order. A PKCS#11 session runs one cryptographic operation at a time
 * (C_EncryptInit … C_Encrypt must not interleave), so concurrency is the
 * number of sessions, and callers beyond it queue.
 */
export class SessionPool<S> {
  readonly #all: readonly S[];
  readonly #idle: S[];
  readonly #waiters: Waiter<S>[] = [];
  #inUse = 0;
  #peakInUse = 0;
  #closing: Promise<readonly S[]> | undefined;
  #onIdle: (() => void) | undefined;

  constructor(sessions: readonly S[]) {
    this.#all = sessions;
    this.#idle = [...sessions];
  }

  /** Runs `operation` with a session of its own; the session returns to the pool when it settles. */
  async use<T>(operation: (session: S) => Promise<T> | T): Promise<T> {
    const session = await this.#acquire();
    try {
      return await operation(session);
    } finally {
      this.#release(session);
    }
  }

  stats(): SessionPoolStats {
    return {
      size: this.#all.length,
      inUse: this.#inUse,
      waiting: this.#waiters.length,
      peakInUse: this.#peakInUse,
    };
  }

  /**
   * Refuses new work, fails queued work with ERR_STORE_UNAVAILABLE, waits for
   * running operations to finish, and returns every session for closing.
   */
  close(): Promise<readonly S[]> {
    this.#closing ??= new Promise<readonly S[]>((done) => {
      for (const waiter of this.#waiters.splice(0)) waiter.reject(closedError());
      if (this.#inUse === 0) return done(this.#all);
      this.#onIdle = () => done(this.#all);
    });
    return this.#closing;
  }

  #acquire(): Promise<S> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    const session = this.#idle.pop();
    if (session !== undefined) {
      this.#markInUse();
      return Promise.resolve(session);
    }
    return new Promise<S>((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #release(session: S): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      // Handed straight over: the in-use count does not change.
      next.resolve(session);
      return;
    }
    this.#inUse -= 1;
    this.#idle.push(session);
    if (this.#inUse === 0) this.#onIdle?.();
  }

  #markInUse(): void {
    this.#inUse += 1;
    if (this.#inUse > this.#peakInUse) this.#peakInUse = this.#inUse;
  }
}

function closedError(): CipherlayerError {
  return new CipherlayerError('ERR_STORE_UNAVAILABLE', { detail: 'the keyring was closed' });
}
