type MaybePromise<T> = T | Promise<T>;

/**
 * Where a profile keeps its state: rsa-session's sessions (with their
 * private keys), static-key's per-session keys, and every profile's replay
 * entries. Strings under string keys with a time to live, and one atomic
 * "set if absent" for replay checks. Small on purpose: cl1's SessionStore is
 * about cl1's sessions; this is what the seeds' formats need, and any
 * key-value store with expiry implements it. `MemoryProfileStore` (one
 * process) is the default; `RedisProfileStore` (`@cipherlayer/profiles/redis`)
 * is shared by several instances.
 */
export interface ProfileStore {
  get(key: string): MaybePromise<string | undefined>;
  set(key: string, value: string, ttlMs: number): MaybePromise<void>;
  /** Sets the key only when it is absent (or expired): true when it was set. The replay check. */
  add(key: string, value: string, ttlMs: number): MaybePromise<boolean>;
  delete(key: string): MaybePromise<void>;
}

export function isProfileStore(value: unknown): value is ProfileStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['get', 'set', 'add', 'delete'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}
