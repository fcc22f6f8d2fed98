import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  type KeyObject,
  randomFillSync,
} from 'node:crypto';
import type {
  AeadAlgorithm,
  AeadKey,
  DhCurve,
  DhKeyPair,
  DhPrivateKey,
  HashName,
  SyncCryptoBackend,
} from '../lib/backend.js';
import { curveSizes, derPrefixes } from '../lib/backend.js';
import { CipherlayerError, decryptFailure } from '../lib/errors.js';

const nodeHash: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const nodeAead: Record<AeadAlgorithm, { cipher: 'aes-128-gcm' | 'aes-256-gcm'; keyLength: number }> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLength: 32 },
};
const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;

interface NodeAeadKey {
  readonly cipher: 'aes-128-gcm' | 'aes-256-gcm';
  readonly key: KeyObject;
}

const spkiPrefix = Object.fromEntries(
  Object.entries(derPrefixes).map(([curve, p]) => [curve, Buffer.from(p.spki, 'hex')]),
) as Record<DhCurve, Buffer>;
const pkcs8Prefix = Object.fromEntries(
  Object.entries(derPrefixes).map(([curve, p]) => [curve, Buffer.from(p.pkcs8, 'hex')]),
) as Record<DhCurve, Buffer>;

/** A plain Uint8Array view of a Buffer: no copy, and no Buffer semantics leaking out. */
function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkAeadInput(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_LENGTH)
    throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'nonce length' });
}

function publicKeyObject(curve: DhCurve, raw: Uint8Array): KeyObject {
  if (raw.length !== curveSizes[curve].publicKey || (curve !== 'X25519' && raw[0] !== 0x04)) {
    throw new CipherlayerError('ERR_INVALID_KEY');
  }
  try {
    return createPublicKey({ key: Buffer.concat([spkiPrefix[curve], raw]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new CipherlayerError('ERR_INVALID_KEY', { cause });
  }
}

function rawPublicKey(curve: DhCurve, privateKey: KeyObject): Uint8Array {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return view(spki.subarray(spkiPrefix[curve].length));
}

/** node:crypto backend: synchronous, the server's hot path. */
export const nodeBackend: SyncCryptoBackend = {
  name: 'node:crypto',

  randomBytes(length) {
    return view(randomFillSync(Buffer.allocUnsafe(length)));
  },

  digest(hash, data) {
    return view(createHash(nodeHash[hash]).update(data).digest());
  },

  hmac(hash, key, data) {
    return view(createHmac(nodeHash[hash], key).update(data).digest());
  },

  importAeadKey(algorithm, raw) {
    const { cipher, keyLength } = nodeAead[algorithm];
    if (raw.length !== keyLength)
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'AEAD key length' });
    const handle: NodeAeadKey = { cipher, key: createSecretKey(raw) };
    return handle as unknown as AeadKey;
  },

  seal(key, nonce, aad, plaintext) {
    checkAeadInput(nonce);
    const { cipher: name, key: secret } = key as unknown as NodeAeadKey;
    const cipher = createCipheriv(name, secret, nonce, { authTagLength: TAG_LENGTH });
    if (aad.length > 0) cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const tail = cipher.final();
    return view(Buffer.concat([body, tail, cipher.getAuthTag()], body.length + tail.length + TAG_LENGTH));
  },

  open(key, nonce, aad, ciphertext) {
    checkAeadInput(nonce);
    if (ciphertext.length < TAG_LENGTH) throw decryptFailure();
    const { cipher: name, key: secret } = key as unknown as NodeAeadKey;
    const split = ciphertext.length - TAG_LENGTH;
    try {
      const decipher = createDecipheriv(name, secret, nonce, { authTagLength: TAG_LENGTH });
      decipher.setAuthTag(ciphertext.subarray(split));
      if (aad.length > 0) decipher.setAAD(aad);
      const body = decipher.update(ciphertext.subarray(0, split));
      const tail = decipher.final();
      return view(tail.length === 0 ? body : Buffer.concat([body, tail]));
    } catch (cause) {
      throw decryptFailure(cause);
    }
  },

  importDhPrivateKey(curve, secret) {
    if (secret.length !== curveSizes[curve].secret) throw new CipherlayerError('ERR_INVALID_KEY');
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({
        key: Buffer.concat([pkcs8Prefix[curve], secret]),
        format: 'der',
        type: 'pkcs8',
      });
    } catch (cause) {
      throw new CipherlayerError('ERR_INVALID_KEY', { cause });
    }
    const pair: DhKeyPair = {
      privateKey: privateKey as unknown as DhPrivateKey,
      publicKey: rawPublicKey(curve, privateKey),
    };
    return pair;
  },

  dh(curve, privateKey, peerPublicKey) {
    const publicKey = publicKeyObject(curve, peerPublicKey);
    let shared: Buffer;
    try {
      shared = diffieHellman({ privateKey: privateKey as unknown as KeyObject, publicKey });
    } catch (cause) {
      throw new CipherlayerError('ERR_INVALID_KEY', { cause });
    }
    if (curve === 'X25519' && shared.every((b) => b === 0)) throw new CipherlayerError('ERR_INVALID_KEY');
    return view(shared);
  },
};
