import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { after } from '../stores/guarded-store.js';
import type { ProfileStore } from '../stores/profile-store.js';

type MaybePromise<T> = T | Promise<T>;

/** What seed 001 stores per session: "sessionId, privateKey, publicKey, deviceId, ipAddress", with a TTL. */
export interface SessionRecord {
  readonly sessionId: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly deviceId: string;
  readonly ipAddress: string;
  readonly expiresAt: number;
}

/** Parsed private keys kept per process: parsing a PEM on every request costs more than the lookup. */
const CACHE_SIZE = 10_000;

/**
 * The sessions of the rsa-session profile in a ProfileStore: one JSON entry
 * per session under `rsa-session:s:<id>`, and, in strict mode, one replay
 * entry per RSA-wrapped key under `rsa-session:r:<id>:<digest>`, both
 * expiring with the session.
 */
export class RsaSessions {
  readonly #keys = new Map<string, { pem: string; key: KeyObject }>();

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: () => number,
  ) {}

  save(record: SessionRecord): MaybePromise<void> {
    return this.store.set(
      `rsa-session:s:${record.sessionId}`,
      JSON.stringify(record),
      record.expiresAt - this.clock(),
    );
  }

  /** The live session, or ERR_SESSION_UNKNOWN / ERR_SESSION_EXPIRED. */
  load(sessionId: string): MaybePromise<SessionRecord> {
    return after(this.store.get(`rsa-session:s:${sessionId}`), (value) => {
      if (value === undefined) throw new CipherlayerError('ERR_SESSION_UNKNOWN');
      const record = JSON.parse(value) as SessionRecord;
      if (record.expiresAt <= this.clock()) throw new CipherlayerError('ERR_SESSION_EXPIRED');
      return record;
    });
  }

  revoke(sessionId: string): MaybePromise<void> {
    this.#keys.delete(sessionId);
    return this.store.delete(`rsa-session:s:${sessionId}`);
  }

  /** The session's private key, parsed once per process (checked against the stored PEM every time). */
  privateKey(record: SessionRecord): KeyObject {
    const cached = this.#keys.get(record.sessionId);
    if (cached !== undefined && cached.pem === record.privateKey) return cached.key;
    const key = createPrivateKey(record.privateKey);
    if (this.#keys.size >= CACHE_SIZE) this.#keys.delete(this.#keys.keys().next().value as string);
    this.#keys.set(record.sessionId, { pem: record.privateKey, key });
    return key;
  }

  /** Strict mode: an RSA-wrapped key is accepted once per session. */
  remember(record: SessionRecord, wrappedKey: Uint8Array): MaybePromise<void> {
    const digest = createHash('sha256').update(wrappedKey).digest('base64url');
    const ttl = Math.max(1, record.expiresAt - this.clock());
    return after(this.store.add(`rsa-session:r:${record.sessionId}:${digest}`, '1', ttl), (added) => {
      if (!added) throw new CipherlayerError('ERR_REPLAY');
    });
  }
}
