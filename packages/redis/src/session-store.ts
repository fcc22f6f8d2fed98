import {
  CipherlayerError,
  EXPIRED_GRACE_MS,
  type SessionRecord,
  type SessionStore,
  type StoredSession,
  type WindowVerdict,
} from '@cipherlayer/core';
import { sessionKey } from './lib/key-layout.js';
import {
  checkInteger,
  checkKnownOptions,
  commonOptions,
  configError,
  type RedisStoreOptions,
} from './lib/options.js';
import { decodeAttributes, decodeSecrets, encodeAttributes, encodeSecrets } from './lib/record-codec.js';
import { createRecordSealer, type RecordSealer } from './lib/record-sealer.js';
import type { CommandGuard, RedisClient } from './lib/redis-client.js';
import { acceptCounterScript, verdictOf } from './lib/replay-window-script.js';
import { bindScript, revokeScript, saveScript } from './lib/session-scripts.js';

export interface RedisSessionStoreOptions extends RedisStoreOptions {
  /**
   * 32 random bytes that seal session keys and attributes at rest
   * (AES-256-GCM), or a list of them for rotation: the first seals, any
   * opens. Required unless `allowPlaintextSecrets` is set.
   */
  encryptionKey?: Uint8Array | readonly Uint8Array[];
  /** Store session keys in clear: only where reading Redis is as hard as reading the server's memory. */
  allowPlaintextSecrets?: boolean;
  /**
   * How long an expired session is remembered so its client hears
   * ERR_SESSION_EXPIRED rather than ERR_SESSION_UNKNOWN. Default 10 minutes,
   * as core's MemorySessionStore.
   */
  expiredGraceMs?: number;
}

/** Core's EXPIRED_GRACE_MS: the memory store's grace, which this store matches. */
export const DEFAULT_EXPIRED_GRACE_MS = EXPIRED_GRACE_MS;

const OPTION_NAMES = [
  'prefix',
  'timeoutMs',
  'clock',
  'encryptionKey',
  'allowPlaintextSecrets',
  'expiredGraceMs',
];
const WINDOW_SIZE_RULE = 'replay window size must be a multiple of 32 from 64 to 4096';

/** A loaded session: its record as read, and the window check-and-mark, which always asks Redis. */
class RedisStoredSession implements StoredSession {
  constructor(
    readonly record: SessionRecord,
    private readonly key: string,
    private readonly guard: CommandGuard,
    private readonly clock: () => number,
  ) {}

  async acceptCounter(counter: number): Promise<WindowVerdict | 'unknown'> {
    if (!Number.isSafeInteger(counter) || counter < 0) throw new CipherlayerError('ERR_MALFORMED');
    const args = [String(counter), this.clock()];
    return await this.guard.run(async (client) =>
      verdictOf(await acceptCounterScript.run(client, this.key, args)),
    );
  }
}

/**
 * Sessions in Redis, shared by every server instance: one hash per session
 * with a TTL of its expiry plus the grace period, secrets sealed under the
 * app's key, and the replay window checked and marked by one Lua script.
 * Every Redis failure is ERR_STORE_UNAVAILABLE (503); nothing falls back to memory.
 */
export class RedisSessionStore implements SessionStore {
  readonly #guard: CommandGuard;
  readonly #prefix: string;
  readonly #clock: () => number;
  readonly #sealer: RecordSealer;
  readonly #graceMs: number;

  constructor(client: RedisClient, options: RedisSessionStoreOptions = {}) {
    checkKnownOptions(options, OPTION_NAMES, 'RedisSessionStore');
    const common = commonOptions(client, options, 'RedisSessionStore');
    this.#guard = common.guard;
    this.#prefix = common.prefix;
    this.#clock = common.clock;
    this.#sealer = createRecordSealer(options.encryptionKey, options.allowPlaintextSecrets);
    this.#graceMs = checkInteger(options.expiredGraceMs ?? DEFAULT_EXPIRED_GRACE_MS, 'expiredGraceMs', 0);
  }

  async save(record: SessionRecord, windowSize: number): Promise<void> {
    if (!Number.isInteger(windowSize) || windowSize < 64 || windowSize > 4096 || windowSize % 32 !== 0)
      throw configError(WINDOW_SIZE_RULE);
    const sessionId = record.material.sessionId;
    const keys = this.#sealer.seal(sessionId, 'keys', encodeSecrets(record));
    const attributes = this.#sealer.seal(sessionId, 'attributes', encodeAttributes(record.attributes));
    // Relative TTL, from this instance's clock: a different clock on the Redis host does not matter.
    const ttl = Math.ceil(record.expiresAt + this.#graceMs - this.#clock());
    const key = sessionKey(this.#prefix, sessionId);
    await this.#guard.run((client) =>
      saveScript.run(client, key, [keys, attributes, record.expiresAt, windowSize, ttl]),
    );
  }

  async load(sessionId: Uint8Array): Promise<StoredSession | 'revoked' | undefined> {
    const key = sessionKey(this.#prefix, sessionId);
    const [keys, attributes, expiresAt, revoked] = await this.#guard.run((client) =>
      client.hmgetBuffer(key, 'keys', 'attributes', 'expiresAt', 'revoked'),
    );
    if (expiresAt == null || Number(expiresAt.toString()) + this.#graceMs <= this.#clock()) return undefined;
    if (revoked != null) return 'revoked';
    if (keys == null || attributes == null) return undefined;
    const record = this.#open(sessionId, keys, attributes);
    return record === undefined ? undefined : new RedisStoredSession(record, key, this.#guard, this.#clock);
  }

  /**
   * A record that does not open (another store key, tampered, another
   * format) is treated as absent: its client handshakes again.
   */
  #open(sessionId: Uint8Array, keys: Buffer, attributes: Buffer): SessionRecord | undefined {
    const secretBytes = this.#sealer.open(sessionId, 'keys', keys);
    const attributeBytes = this.#sealer.open(sessionId, 'attributes', attributes);
    if (secretBytes === undefined || attributeBytes === undefined) return undefined;
    const secrets = decodeSecrets(sessionId, secretBytes);
    const bound = decodeAttributes(attributeBytes);
    if (secrets === undefined || bound === undefined) return undefined;
    return { ...secrets, attributes: bound };
  }

  async revoke(sessionId: Uint8Array): Promise<void> {
    const key = sessionKey(this.#prefix, sessionId);
    await this.#guard.run((client) => revokeScript.run(client, key, []));
  }

  async bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>): Promise<boolean> {
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
      throw configError('attributes must be an object of strings');
    for (const value of Object.values(attributes))
      if (typeof value !== 'string') throw configError('attribute values must be strings');
    const key = sessionKey(this.#prefix, sessionId);
    const sealed = this.#sealer.seal(sessionId, 'attributes', encodeAttributes(attributes));
    return (await this.#guard.run((client) => bindScript.run(client, key, [sealed]))) === 1;
  }
}
