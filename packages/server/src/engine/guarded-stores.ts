import {
  CipherlayerError,
  MemoryReplayCache,
  MemorySessionStore,
  type ReplayCache,
  type SessionRecord,
  type SessionStore,
  type StoredSession,
} from '@cipherlayer/core';

/**
 * Stores fail closed. Whatever a store does wrong (throws, rejects, or does
 * not answer within the timeout) becomes ERR_STORE_UNAVAILABLE (503), and
 * the request stops there: the app never sees it. Nothing is cached about
 * the failure, so the next request tries the store again and recovers as
 * soon as it answers. The in-memory stores do no I/O and are used as they are.
 */
type MaybePromise<T> = T | Promise<T>;

function unavailable(cause: unknown): CipherlayerError {
  return cause instanceof CipherlayerError && cause.code === 'ERR_STORE_UNAVAILABLE'
    ? cause
    : new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function withTimeout<T>(pending: PromiseLike<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(unavailable(new Error(`store did not answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(unavailable(error));
      },
    );
  });
}

/**
 * One store call, failing closed: a throw, a rejection or no answer within
 * `timeoutMs` is ERR_STORE_UNAVAILABLE. A synchronous answer stays
 * synchronous. Exported for profiles' own stores.
 */
export function guarded<T>(call: () => MaybePromise<T>, timeoutMs: number): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = call();
  } catch (error) {
    throw unavailable(error);
  }
  return isThenable(result) ? withTimeout(result, timeoutMs) : result;
}

/** A loaded session whose counter check is guarded too (it is the store's atomic operation). */
class GuardedSession implements StoredSession {
  constructor(
    private readonly stored: StoredSession,
    private readonly timeoutMs: number,
  ) {}

  get record(): SessionRecord {
    return this.stored.record;
  }

  acceptCounter(counter: number) {
    return guarded(() => this.stored.acceptCounter(counter), this.timeoutMs);
  }
}

function wrapLoaded(
  loaded: StoredSession | 'revoked' | undefined,
  timeoutMs: number,
): StoredSession | 'revoked' | undefined {
  return typeof loaded === 'object' ? new GuardedSession(loaded, timeoutMs) : loaded;
}

export function guardSessionStore(store: SessionStore, timeoutMs: number): SessionStore {
  if (store instanceof MemorySessionStore) return store;
  return {
    save: (record, windowSize) => guarded(() => store.save(record, windowSize), timeoutMs),
    load(sessionId) {
      const loaded = guarded(() => store.load(sessionId), timeoutMs);
      return loaded instanceof Promise
        ? loaded.then((value) => wrapLoaded(value, timeoutMs))
        : wrapLoaded(loaded, timeoutMs);
    },
    revoke: (sessionId) => guarded(() => store.revoke(sessionId), timeoutMs),
    bind: (sessionId, attributes) => guarded(() => store.bind(sessionId, attributes), timeoutMs),
  };
}

export function guardReplayCache(cache: ReplayCache, timeoutMs: number): ReplayCache {
  if (cache instanceof MemoryReplayCache) return cache;
  return { remember: (id, expiresAt) => guarded(() => cache.remember(id, expiresAt), timeoutMs) };
}
