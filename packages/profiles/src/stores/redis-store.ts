import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { IV_BYTES, KEY_BYTES, TAG_BYTES } from '../lib/aes-gcm.js';
import { booleanOption, checkKnown, configError } from '../lib/options.js';
import type { ProfileStore } from './profile-store.js';

/** The commands used, as ioredis (a client or a Cluster) has them. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<unknown>;
  del(key: string): Promise<number>;
}

export interface RedisProfileStoreOptions {
  /** Prefix of every key. Default `cipherlayer:profiles:`. Must not contain `{` or `}`. */
  prefix?: string;
  /**
   * 32 random bytes (or a list: the first seals, any opens) that seal every
   * value at rest with AES-256-GCM, the key name as associated data. The
   * values are rsa-session private keys and static-key session keys:
   * whoever reads Redis (a replica, a backup, MONITOR) would read them.
   */
  encryptionKey?: Uint8Array | readonly Uint8Array[];
  /** The explicit opt-out: values in clear. */
  allowPlaintextValues?: boolean;
}

const KNOWN = ['prefix', 'encryptionKey', 'allowPlaintextValues'];
const SEALED_PREFIX = 'v1.';

function readKeys(value: RedisProfileStoreOptions['encryptionKey']): readonly Buffer[] {
  if (value === undefined) return [];
  const list = value instanceof Uint8Array ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw configError('encryptionKey must be 32 bytes or a list of them');
  return list.map((key: unknown) => {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES)
      throw configError('encryptionKey must be 32 bytes');
    return Buffer.from(key);
  });
}

/**
 * The profile store on Redis, for several server instances: one string per
 * entry, `SET … PX` for the time to live, `SET … PX … NX` for the replay
 * check (atomic on the server). Values sealed at rest unless you opt out.
 */
export class RedisProfileStore implements ProfileStore {
  readonly #redis: RedisCommands;
  readonly #prefix: string;
  readonly #keys: readonly Buffer[];

  constructor(redis: RedisCommands, options: RedisProfileStoreOptions = {}) {
    checkKnown(options, KNOWN, 'RedisProfileStore');
    if (
      typeof redis !== 'object' ||
      redis === null ||
      typeof redis.get !== 'function' ||
      typeof redis.set !== 'function'
    )
      throw configError('RedisProfileStore needs an ioredis client (or Cluster)');
    const prefix = options.prefix ?? 'cipherlayer:profiles:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix))
      throw configError('prefix must be a string without { or }');
    this.#redis = redis;
    this.#prefix = prefix;
    this.#keys = readKeys(options.encryptionKey);
    const plaintext = booleanOption(options.allowPlaintextValues, 'allowPlaintextValues', false);
    if (this.#keys.length === 0 && !plaintext)
      throw configError(
        'RedisProfileStore needs an encryptionKey (32 random bytes): its values include private and session keys; ' +
          'allowPlaintextValues: true stores them in clear',
      );
  }

  async get(key: string): Promise<string | undefined> {
    const name = this.#prefix + key;
    const value = await this.#redis.get(name);
    return value === null ? undefined : this.#open(name, value);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const name = this.#prefix + key;
    await this.#redis.set(name, this.#seal(name, value), 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    const name = this.#prefix + key;
    const answer = await this.#redis.set(
      name,
      this.#seal(name, value),
      'PX',
      Math.max(1, Math.ceil(ttlMs)),
      'NX',
    );
    return answer === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }

  #seal(name: string, value: string): string {
    const key = this.#keys[0];
    if (key === undefined) return value;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name));
    const sealed = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return SEALED_PREFIX + sealed.toString('base64');
  }

  /** A value that opens under none of the keys is treated as a store failure, never as data. */
  #open(name: string, value: string): string {
    if (this.#keys.length === 0) return value;
    if (!value.startsWith(SEALED_PREFIX)) throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
    const sealed = Buffer.from(value.slice(SEALED_PREFIX.length), 'base64');
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(name));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        // the next key, if any
      }
    }
    throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
  }
}
