import type { CryptoBackend, SyncCryptoBackend } from './backend.js';

/**
 * Protocol code is written once, as generators that yield crypto steps to a
 * backend. `runFlow` drives a flow synchronously while the backend answers
 * synchronously (node:crypto, the server hot path) and switches to promises
 * at the first asynchronous answer (Web Crypto). The bytes cannot differ
 * between backends, because only the primitives do.
 */
export type Step = (backend: CryptoBackend) => unknown;
export type Flow<T> = Generator<Step, T, unknown>;

/** The result type of running a flow on backend `B`: plain for a sync backend. */
export type Outcome<B extends CryptoBackend, T> = B extends SyncCryptoBackend ? T : Promise<T>;

/** Yields one backend call and returns its (awaited) result. */
export function* call<T>(step: (backend: CryptoBackend) => T | Promise<T>): Flow<T> {
  return (yield step) as T;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

export function runFlow<B extends CryptoBackend, T>(backend: B, flow: Flow<T>): Outcome<B, T> {
  let input: unknown;
  let failed = false;
  for (;;) {
    const next = failed ? flow.throw(input) : flow.next(input);
    if (next.done) return next.value as Outcome<B, T>;
    try {
      input = next.value(backend);
      failed = false;
    } catch (error) {
      input = error;
      failed = true;
      continue;
    }
    if (isPromiseLike(input)) return continueAsync(backend, flow, input) as Outcome<B, T>;
  }
}

async function continueAsync<T>(
  backend: CryptoBackend,
  flow: Flow<T>,
  pending: PromiseLike<unknown>,
): Promise<T> {
  let input: unknown;
  let failed = false;
  try {
    input = await pending;
  } catch (error) {
    input = error;
    failed = true;
  }
  for (;;) {
    const next = failed ? flow.throw(input) : flow.next(input);
    if (next.done) return next.value;
    try {
      input = await next.value(backend);
      failed = false;
    } catch (error) {
      input = error;
      failed = true;
    }
  }
}
