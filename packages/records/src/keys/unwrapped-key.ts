import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { CipherlayerError, isCipherlayerError } from '@cipherlayer/core';
import type { AuditSink } from '../audit.js';
import type { Keyring } from '../keyring.js';
import { importAesKey, KEY_LENGTH } from '../lib/aead.js';
import type { KeyRecord, KeyStore } from './key-store.js';
import { type KeyPurpose, parseScope, type Scope, wrapContext } from './scope.js';

/** A data or index key in memory: the AES/HMAC key object, never raw bytes kept around. */
export interface UnwrappedKey {
  readonly id: string;
  /** The 8 id bytes written into field ciphertexts. */
  readonly idBytes: Buffer;
  readonly purpose: KeyPurpose;
  readonly scope: string;
  readonly generation: number;
  readonly key: KeyObject;
}

const noun = (purpose: KeyPurpose) => (purpose === 'data' ? 'data key' : 'index key');

/**
 * Unwraps one row of the keys table. Errors name the key id, the keyring and
 * the KEK (all public), never bytes: ERR_KEY_EXPIRED for a retired key,
 * ERR_UNKNOWN_KEY when the keyring does not hold the KEK, ERR_DECRYPT when
 * the KEK is there but refuses the wrapped key (another master key under the
 * same name, or an altered row), ERR_STORE_UNAVAILABLE when the keyring is down.
 */
export async function unwrapRecord(
  keyring: Keyring,
  record: KeyRecord,
  audit: AuditSink,
): Promise<UnwrappedKey> {
  const { id, purpose, wrapped } = record;
  if (record.state === 'retired')
    throw new CipherlayerError('ERR_KEY_EXPIRED', {
      detail: `${noun(purpose)} ${id} is retired (set it back to retiring to read what it encrypted)`,
    });
  let raw: Uint8Array;
  try {
    raw = await keyring.unwrap(wrapped, wrapContext(purpose, id, parseScope(record.scope)));
  } catch (cause) {
    const code = isCipherlayerError(cause) ? cause.code : 'ERR_INTERNAL';
    audit({
      type: 'unwrap-failed',
      purpose,
      keyId: id,
      keyringId: wrapped.keyringId,
      kekId: wrapped.kekId,
      code,
    });
    const where = `KEK ${wrapped.kekId} of keyring ${wrapped.keyringId}`;
    switch (code) {
      case 'ERR_UNKNOWN_KEY':
        throw new CipherlayerError(code, {
          cause,
          detail: `${noun(purpose)} ${id} is wrapped by ${where}, which the configured keyring (${keyring.id}) does not hold`,
        });
      case 'ERR_DECRYPT':
        throw new CipherlayerError(code, {
          cause,
          detail: `${noun(purpose)} ${id} did not unwrap under ${where} (another master key under that name, or an altered keys table row)`,
        });
      case 'ERR_STORE_UNAVAILABLE':
        throw new CipherlayerError(code, {
          cause,
          detail: `keyring ${wrapped.keyringId} could not be reached to unwrap ${noun(purpose)} ${id}`,
        });
      default:
        throw new CipherlayerError(isCipherlayerError(cause) ? cause.code : 'ERR_INTERNAL', {
          cause,
          detail: `unwrapping ${noun(purpose)} ${id} with ${where} failed`,
        });
    }
  }
  try {
    if (raw.length !== KEY_LENGTH)
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: `${noun(purpose)} ${id} is not 32 bytes` });
    audit({
      type: 'unwrap',
      purpose,
      keyId: id,
      scope: record.scope,
      keyringId: wrapped.keyringId,
      kekId: wrapped.kekId,
    });
    return {
      id,
      idBytes: Buffer.from(id, 'hex'),
      purpose,
      scope: record.scope,
      generation: record.generation,
      key: importAesKey(raw),
    };
  } finally {
    raw.fill(0);
  }
}

/** Up to five tries: a lost race (another process made the key) or an id collision. */
const CREATE_ATTEMPTS = 5;

/**
 * The active key of a scope, made (32 random bytes, wrapped under the
 * current KEK) when there is none. When several processes race, the partial
 * unique index keeps one and the others read it.
 */
export async function activeOrNew(
  store: KeyStore,
  keyring: Keyring,
  purpose: KeyPurpose,
  scope: Scope,
  messageLimit: number,
  audit: AuditSink,
): Promise<{ record: KeyRecord; created?: UnwrappedKey }> {
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    const existing = await store.active(purpose, scope.name);
    if (existing !== undefined) return { record: existing };
    const id = randomBytes(8).toString('hex');
    const raw = randomBytes(KEY_LENGTH);
    try {
      const wrapped = await keyring.wrap(raw, wrapContext(purpose, id, scope));
      if (!(await store.insertActive({ id, purpose, scope: scope.name, wrapped, messageLimit }))) continue;
      audit({
        type: 'wrap',
        purpose,
        keyId: id,
        scope: scope.name,
        keyringId: wrapped.keyringId,
        kekId: wrapped.kekId,
      });
      const record = await store.byId(id);
      if (record === undefined) continue;
      return {
        record,
        created: {
          id,
          idBytes: Buffer.from(id, 'hex'),
          purpose,
          scope: scope.name,
          generation: record.generation,
          key: importAesKey(raw),
        },
      };
    } finally {
      raw.fill(0);
    }
  }
  throw new CipherlayerError('ERR_INTERNAL', {
    detail: `could not create an active ${noun(purpose)} for ${scope.name}`,
  });
}
