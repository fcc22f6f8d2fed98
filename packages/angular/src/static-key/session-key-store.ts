import { CipherlayerError } from '@cipherlayer/core';
import {
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_MIN_ITERATIONS,
  deriveSessionKeyFromLogin,
  type IterationBounds,
  type WrappedSessionKey,
} from '@cipherlayer/profiles/static-key/browser';
import type { AesKeySource } from './key-source.js';

export interface SessionKeyOptions {
  /** Fewest PBKDF2 iterations accepted from the login response. Default 600 000. */
  minIterations?: number;
  /** Most PBKDF2 iterations accepted, so a login response cannot freeze the tab. Default 5 000 000. */
  maxIterations?: number;
}

const KNOWN_OPTIONS = new Set(['minIterations', 'maxIterations']);

function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

/** Checked once, when the provider is created: a mistake names the option. */
export function checkSessionKeyOptions(options: SessionKeyOptions): Required<IterationBounds> {
  if (typeof options !== 'object' || options === null)
    throw configError('sessionKey: options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw configError(`sessionKey: unknown option ${JSON.stringify(name)}`);
  }
  const minIterations = options.minIterations ?? DEFAULT_MIN_ITERATIONS;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!Number.isSafeInteger(minIterations) || minIterations < 1) {
    throw configError('sessionKey: minIterations must be a positive integer');
  }
  if (!Number.isSafeInteger(maxIterations) || maxIterations < minIterations) {
    throw configError('sessionKey: maxIterations must be an integer no smaller than minIterations');
  }
  return { minIterations, maxIterations };
}

/**
 * The per-session key: nothing in the bundle; after login, the app hands
 * the login response's wrapped key and the password it just sent to
 * `unwrapFromLogin`. The key lives in memory only, non-extractable, until
 * `clear()` (logout) or a reload.
 */
export class SessionKeyStore implements AesKeySource {
  readonly #bounds: Required<IterationBounds>;
  #key: CryptoKey | undefined;
  /** Bumped by every login and logout, so a slow unwrap cannot install a key after a later logout. */
  #generation = 0;

  constructor(options: SessionKeyOptions = {}) {
    this.#bounds = checkSessionKeyOptions(options);
  }

  /**
   * Replaces any current key. Rejects with ERR_MALFORMED (shape, iteration
   * bounds) or ERR_DECRYPT (wrong password, tampered key); either way no key
   * is left behind.
   */
  async unwrapFromLogin(wrapped: unknown, password: string): Promise<void> {
    const generation = ++this.#generation;
    this.#key = undefined;
    // The grant's shape is checked there: exactly { salt, iterations, wrappedKey }, else ERR_MALFORMED.
    const key = await deriveSessionKeyFromLogin(password, wrapped as WrappedSessionKey, this.#bounds);
    if (generation === this.#generation) this.#key = key;
  }

  /** Logout: forgets the key; encrypted routes fail without sending until the next login. */
  clear(): void {
    this.#generation++;
    this.#key = undefined;
  }

  get hasKey(): boolean {
    return this.#key !== undefined;
  }

  key(): Promise<CryptoKey> {
    if (this.#key === undefined) {
      return Promise.reject(
        new CipherlayerError('ERR_SESSION_UNKNOWN', {
          detail: 'no session key; call unwrapFromLogin with the login response first',
        }),
      );
    }
    return Promise.resolve(this.#key);
  }
}
