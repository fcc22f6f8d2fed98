import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CipherlayerError } from '@cipherlayer/core';
import { gcmSeal, KEY_BYTES } from '../lib/aes-gcm.js';
import { checkKnown, configError, integerOption } from '../lib/options.js';
import { after, guardStore } from '../stores/guarded-store.js';
import { MemoryProfileStore } from '../stores/memory-store.js';
import { isProfileStore, type ProfileStore } from '../stores/profile-store.js';
import type { WrappedSessionKey } from './wrapped-session-key.js';

export type { WrappedSessionKey } from './wrapped-session-key.js';

const derive = promisify(pbkdf2);
type MaybePromise<T> = T | Promise<T>;

export interface StaticKeySessionsOptions {
  /** Where session keys (and replay entries) live. Default: this process's memory. */
  store?: ProfileStore;
  /** How long a session key lives. Default 30 minutes. */
  ttlMs?: number;
  /** PBKDF2-HMAC-SHA256 iterations. Default 600 000 (OWASP, 2023); at least 100 000. */
  iterations?: number;
  /** A store call slower than this fails the request with 503. Default 2000 ms. */
  storeTimeoutMs?: number;
  /** Milliseconds since the epoch. For tests. */
  clock?: () => number;
}

export interface GrantRequest {
  /** The id the app finds the key by on later requests (its own session id): `keyId` option of staticKey. */
  readonly keyId: string;
  /** The password exactly as the login request sent it (UTF-8, not normalised). */
  readonly password: string;
  /** The user's own salt (16 to 64 bytes, never the salt of the password hash); default: fresh random bytes. */
  readonly salt?: Uint8Array;
}

interface StoredKey {
  /** base64 of the key */
  readonly k: string;
  /** expiry, ms since the epoch */
  readonly e: number;
}

export interface SessionKey {
  readonly key: Buffer;
  readonly expiresAt: number;
}

const KNOWN = ['store', 'ttlMs', 'iterations', 'storeTimeoutMs', 'clock'];

function checkKeyId(keyId: unknown): string {
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 256)
    throw new CipherlayerError('ERR_SESSION_UNKNOWN');
  return encodeURIComponent(keyId);
}

/**
 * Seed 002's mitigation, made real: "derive a per-session key after login
 * (server sends an ephemeral key wrapped with the user's password-derived
 * key)". At login the app calls `grant()` with the password it has just
 * checked; the answer goes back in the login response; the browser derives
 * the same wrapping key from the password the user typed and unwraps the
 * session key inside Web Crypto. No key ships in the bundle.
 */
export class StaticKeySessions {
  readonly #store: ProfileStore;
  readonly #ttlMs: number;
  readonly #iterations: number;
  readonly #clock: () => number;

  constructor(options: StaticKeySessionsOptions = {}) {
    checkKnown(options, KNOWN, 'StaticKeySessions');
    const store = options.store ?? new MemoryProfileStore();
    if (!isProfileStore(store)) throw configError('store must be a ProfileStore (get, set, add, delete)');
    this.#store = guardStore(store, integerOption(options.storeTimeoutMs, 'storeTimeoutMs', 2000, 1, 60_000));
    this.#ttlMs = integerOption(options.ttlMs, 'ttlMs', 30 * 60_000, 1000, 7 * 24 * 3_600_000);
    this.#iterations = integerOption(options.iterations, 'iterations', 600_000, 100_000, 10_000_000);
    if (options.clock !== undefined && typeof options.clock !== 'function')
      throw configError('clock must be a function');
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Makes a session key for `keyId`, stores it, and returns it wrapped under
   * the password-derived key, for the login response. PBKDF2 runs on
   * libuv's thread pool, off the event loop (about 0.12 s at 600 000
   * iterations here): call it only after the password was checked.
   */
  async grant(request: GrantRequest): Promise<WrappedSessionKey> {
    if (typeof request !== 'object' || request === null) throw configError('grant needs { keyId, password }');
    const id = checkKeyId(request.keyId);
    if (typeof request.password !== 'string') throw configError('grant: password must be a string');
    const salt = request.salt === undefined ? randomBytes(16) : Buffer.from(request.salt);
    if (salt.length < 16 || salt.length > 64) throw configError('grant: salt must be 16 to 64 bytes');
    const password = Buffer.from(request.password, 'utf8');
    const wrapping = await derive(password, salt, this.#iterations, KEY_BYTES, 'sha256');
    password.fill(0);
    const key = randomBytes(KEY_BYTES);
    const { iv, tag, ciphertext } = gcmSeal(wrapping, key);
    wrapping.fill(0);
    const expiresAt = this.#clock() + this.#ttlMs;
    const stored: StoredKey = { k: key.toString('base64'), e: expiresAt };
    key.fill(0);
    await this.#store.set(`static-key:key:${id}`, JSON.stringify(stored), this.#ttlMs);
    return {
      salt: salt.toString('base64'),
      iterations: this.#iterations,
      wrappedKey: Buffer.concat([iv, tag, ciphertext]).toString('base64'),
    };
  }

  /** Ends a session key (logout). */
  async revoke(keyId: string): Promise<void> {
    await this.#store.delete(`static-key:key:${checkKeyId(keyId)}`);
  }

  /** The key of a session, or ERR_SESSION_UNKNOWN when there is none (never granted, expired, revoked). */
  lookup(keyId: string): MaybePromise<SessionKey> {
    const id = checkKeyId(keyId);
    return after(this.#store.get(`static-key:key:${id}`), (value) => {
      if (value === undefined) throw new CipherlayerError('ERR_SESSION_UNKNOWN');
      const stored = JSON.parse(value) as StoredKey;
      if (stored.e <= this.#clock()) throw new CipherlayerError('ERR_SESSION_EXPIRED');
      return { key: Buffer.from(stored.k, 'base64'), expiresAt: stored.e };
    });
  }

  /**
   * The replay check the seed's format allows: an IV may open a message only
   * once under a session key (GCM forbids its reuse anyway), remembered
   * until the key expires. ERR_REPLAY the second time.
   */
  remember(keyId: string, iv: Uint8Array, expiresAt: number): MaybePromise<void> {
    const id = checkKeyId(keyId);
    const ttl = Math.max(1, expiresAt - this.#clock());
    const name = `static-key:iv:${id}:${Buffer.from(iv).toString('base64url')}`;
    return after(this.#store.add(name, '1', ttl), (added) => {
      if (!added) throw new CipherlayerError('ERR_REPLAY');
    });
  }
}
