import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { configError } from './options.js';

/** A field of the session hash that holds secrets or personal data. */
export type SealedField = 'keys' | 'attributes';

/** Seals a session field for storage; `open` answers undefined for anything it did not seal. */
export interface RecordSealer {
  seal(sessionId: Uint8Array, field: SealedField, plaintext: Uint8Array): Buffer;
  open(sessionId: Uint8Array, field: SealedField, stored: Buffer): Uint8Array | undefined;
}

const FORMAT_CLEAR = 0x00;
const FORMAT_AES_256_GCM = 0x01;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_INFO = 'cipherlayer redis session store v1';

/**
 * AES-256-GCM under the app's store key. The AAD names the session and the
 * field, so a sealed value moved to another session or field does not open.
 */
class AesGcmSealer implements RecordSealer {
  constructor(private readonly keys: readonly KeyObject[]) {}

  seal(sessionId: Uint8Array, field: SealedField, plaintext: Uint8Array): Buffer {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    cipher.setAAD(aad(sessionId, field));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_AES_256_GCM), iv, body, cipher.getAuthTag()]);
  }

  open(sessionId: Uint8Array, field: SealedField, stored: Buffer): Uint8Array | undefined {
    if (stored.length < 1 + IV_LENGTH + TAG_LENGTH || stored[0] !== FORMAT_AES_256_GCM) return undefined;
    const iv = stored.subarray(1, 1 + IV_LENGTH);
    const body = stored.subarray(1 + IV_LENGTH, stored.length - TAG_LENGTH);
    const tag = stored.subarray(stored.length - TAG_LENGTH);
    const additional = aad(sessionId, field);
    // Rotation: the first key seals, any key opens; sessions sealed under a retired key die with their TTL.
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
        decipher.setAAD(additional);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        // Not this key (or not authentic): try the next one.
      }
    }
    return undefined;
  }
}

/** The explicit opt-out: fields stored as they are, readable by anyone who can read Redis. */
class ClearSealer implements RecordSealer {
  seal(_sessionId: Uint8Array, _field: SealedField, plaintext: Uint8Array): Buffer {
    return Buffer.concat([Buffer.of(FORMAT_CLEAR), plaintext]);
  }

  open(_sessionId: Uint8Array, _field: SealedField, stored: Buffer): Uint8Array | undefined {
    return stored[0] === FORMAT_CLEAR ? stored.subarray(1) : undefined;
  }
}

function aad(sessionId: Uint8Array, field: SealedField): Buffer {
  return Buffer.concat([Buffer.from(`${KEY_INFO}\0${field}\0`), sessionId]);
}

function isKeyBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/**
 * The app's key is not used directly: a subkey is derived for this one
 * purpose, so a key also used elsewhere (by mistake) never encrypts two
 * kinds of data.
 */
function importStoreKey(raw: Uint8Array, index: number): KeyObject {
  if (raw.length !== 32)
    throw configError(`encryptionKey[${index}] must be 32 bytes (crypto.randomBytes(32))`);
  if (raw.every((byte) => byte === raw[0]))
    throw configError(`encryptionKey[${index}] looks like a placeholder: use 32 random bytes`);
  return createSecretKey(Buffer.from(hkdfSync('sha256', raw, new Uint8Array(0), KEY_INFO, 32)));
}

export function createRecordSealer(
  encryptionKey: Uint8Array | readonly Uint8Array[] | undefined,
  allowPlaintextSecrets: boolean | undefined,
): RecordSealer {
  if (allowPlaintextSecrets !== undefined && typeof allowPlaintextSecrets !== 'boolean')
    throw configError('allowPlaintextSecrets must be a boolean');
  if (encryptionKey === undefined) {
    if (allowPlaintextSecrets === true) return new ClearSealer();
    throw configError(
      'encryptionKey is required: session keys in Redis must be sealed (pass 32 random bytes from a ' +
        'secret store; set allowPlaintextSecrets: true only if Redis itself is trusted like process memory)',
    );
  }
  if (allowPlaintextSecrets === true)
    throw configError('give either encryptionKey or allowPlaintextSecrets: true, not both');
  const keys = isKeyBytes(encryptionKey) ? [encryptionKey] : encryptionKey;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isKeyBytes))
    throw configError('encryptionKey must be a Uint8Array of 32 bytes or a non-empty list of them');
  return new AesGcmSealer(keys.map(importStoreKey));
}
