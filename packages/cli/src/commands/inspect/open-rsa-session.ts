import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import type { OpenedEnvelope } from './opened-envelope.js';
import type { SeedEnvelope } from './seed-envelopes.js';
import { cannotDecrypt, describeKeyObject, type SeedKey, wrongKeyType } from './seed-key-file.js';

type Fields = Readonly<Record<'encryptedData' | 'iv' | 'authTag', string>>;

/**
 * The OAEP hashes a compatible rsa-session server tries, in its order: the
 * seed's server decrypts with SHA-256, while the seed's client snippet
 * (`crypto.publicEncrypt(pem, aesKey)`) gets Node's default, SHA-1.
 */
const OAEP_HASHES = [
  ['sha256', 'RSA-OAEP-SHA256'],
  ['sha1', "RSA-OAEP-SHA1 (Node's default: the seed's client snippet)"],
] as const;

/**
 * AES-256-GCM with the seed's 12-byte IV and 16-byte tag, as the profile
 * opens it; any failure is the one generic error. (Compatible mode: no
 * associated data; a strict-mode message fails here.)
 */
function openPayload(key: Uint8Array, fields: Fields): Uint8Array {
  const iv = Buffer.from(fields.iv, 'base64');
  const tag = Buffer.from(fields.authTag, 'base64');
  if (iv.length !== 12 || tag.length !== 16) cannotDecrypt(undefined);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(fields.encryptedData, 'base64')), decipher.final()]);
  } catch (cause) {
    cannotDecrypt(cause);
  }
}

/** Seed 001's request: the AES key unwrapped with the session's RSA private key, then the payload. */
export function openRsaSessionRequest(
  envelope: Extract<SeedEnvelope, { format: 'rsa-session'; kind: 'request' }>,
  key: SeedKey,
  path: string,
): OpenedEnvelope {
  if (key.kind !== 'private' || key.key.asymmetricKeyType !== 'rsa')
    wrongKeyType(
      '--key',
      path,
      key,
      "an rsa-session request opens with the session's RSA private key (PKCS#8 PEM or JWK); a response opens with --aes-key",
    );
  const wrapped = Buffer.from(envelope.fields.encryptedAesKey, 'base64');
  for (const [oaepHash, keyWrap] of OAEP_HASHES) {
    let aesKey: Buffer;
    try {
      aesKey = privateDecrypt({ key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, wrapped);
    } catch {
      continue;
    }
    if (aesKey.length !== 32) continue;
    try {
      return {
        plaintext: openPayload(aesKey, envelope.fields),
        contentType: '',
        openedWith: { key: describeKeyObject(key.key), keyWrap, content: 'AES-256-GCM' },
      };
    } finally {
      aesKey.fill(0);
    }
  }
  cannotDecrypt(undefined);
}

/** Seed 001's response (or session creation answer): sealed with the AES key of the request it answers. */
export function openRsaSessionResponse(
  envelope: Extract<SeedEnvelope, { format: 'rsa-session'; kind: 'response' }>,
  key: SeedKey,
  path: string,
): OpenedEnvelope {
  if (key.kind !== 'aes')
    wrongKeyType(
      '--aes-key',
      path,
      key,
      'an rsa-session response opens with the AES-256 key of the request it answers (64 hex digits, base64 of 32 bytes, or 32 raw bytes)',
    );
  return {
    plaintext: openPayload(key.key, envelope.fields),
    contentType: '',
    openedWith: { key: 'AES-256', content: 'AES-256-GCM' },
  };
}
