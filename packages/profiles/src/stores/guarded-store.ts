import { failClosed as guarded } from '@cipherlayer/server';
import { MemoryProfileStore } from './memory-store.js';
import type { ProfileStore } from './profile-store.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Stores fail closed, as cl1's do: a call that throws, rejects or takes
 * longer than `timeoutMs` is ERR_STORE_UNAVAILABLE (503) and the request
 * stops there. Nothing is remembered about the failure, so service comes
 * back by itself when the store does.
 */
export function guardStore(store: ProfileStore, timeoutMs: number): ProfileStore {
  if (store instanceof MemoryProfileStore) return store;
  return {
    get: (key) => guarded(() => store.get(key), timeoutMs),
    set: (key, value, ttlMs) => guarded(() => store.set(key, value, ttlMs), timeoutMs),
    add: (key, value, ttlMs) => guarded(() => store.add(key, value, ttlMs), timeoutMs),
    delete: (key) => guarded(() => store.delete(key), timeoutMs),
  };
}

/** Runs `then` on a value that may or may not be a promise, without making one when it is not. */
export function after<T, U>(value: MaybePromise<T>, then: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(then) : then(value);
}
