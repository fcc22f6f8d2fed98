import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  type ECDH,
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
import { curveSizes } from '../lib/backend.js';
import { CipherlayerError, decryptFailure } from '../lib/errors.js';

const nodeHash: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const nodeAead: Record<AeadAlgorithm, { cipher: 'aes-128-gcm' | 'aes-256-gcm'; keyLength: number }> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLength: 32 },
};
const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
/** One options object for every cipher (read, never kept, by node:crypto): no allocation per message. */
const GCM_OPTIONS = Object.freeze({ authTagLength: TAG_LENGTH });

interface NodeAeadKey {
  readonly cipher: 'aes-128-gcm' | 'aes-256-gcm';
  readonly key: KeyObject;
}

/** A plain Uint8Array view of a Buffer: no copy, and no Buffer semantics leaking out. */
function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkAeadInput(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_LENGTH)
    throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'nonce length' });
}

function checkPublicKey(curve: DhCurve, raw: Uint8Array): void {
  if (raw.length !== curveSizes[curve].publicKey || (curve !== 'X25519' && raw[0] !== 0x04)) {
    throw new CipherlayerError('ERR_INVALID_KEY');
  }
}

const nistCurveName: Record<Exclude<DhCurve, 'X25519'>, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

/** A 32-byte placeholder: Node's JWK import wants an `x` member but derives the public key from `d`. */
const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url');

/*
 * Key handles. The DER import paths of Node 20 (OpenSSL decoders) cost
 * 80-370 us per key; JWK import and the ECDH class cost 5-20 us. So X25519
 * keys are KeyObjects made from JWKs, NIST keys are ECDH instances (whose
 * computeSecret validates the peer point).
 */
type NodeDhKey = { curve: 'X25519'; key: KeyObject } | { curve: Exclude<DhCurve, 'X25519'>; ecdh: ECDH };

/** node:crypto backend: synchronous, the server's hot path. */
export const nodeBackend: SyncCryptoBackend = {
  name: 'node:crypto',

  randomBytes(length) {
    // Not Buffer.allocUnsafe: its shared pool would put secrets beside unrelated data.
    return randomFillSync(new Uint8Array(length));
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

  seal(key, nonce, aad, plaintext, prefix) {
    checkAeadInput(nonce);
    const { cipher: name, key: secret } = key as unknown as NodeAeadKey;
    const cipher = createCipheriv(name, secret, nonce, GCM_OPTIONS);
    if (aad.length > 0) cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const tail = cipher.final();
    const head = prefix?.length ?? 0;
    // One unpooled output: a message's .buffer never exposes other data.
    const out = new Uint8Array(head + body.length + tail.length + TAG_LENGTH);
    if (prefix !== undefined) out.set(prefix, 0);
    out.set(body, head);
    out.set(tail, head + body.length);
    out.set(cipher.getAuthTag(), head + body.length + tail.length);
    return out;
  },

  open(key, nonce, aad, ciphertext) {
    checkAeadInput(nonce);
    if (ciphertext.length < TAG_LENGTH) throw decryptFailure();
    const { cipher: name, key: secret } = key as unknown as NodeAeadKey;
    const split = ciphertext.length - TAG_LENGTH;
    try {
      const decipher = createDecipheriv(name, secret, nonce, GCM_OPTIONS);
      decipher.setAuthTag(ciphertext.subarray(split));
      if (aad.length > 0) decipher.setAAD(aad);
      // A message with no body (a GET) is its tag alone: only the tag check to run.
      if (split === 0) {
        decipher.final();
        return new Uint8Array(0);
      }
      const body = decipher.update(ciphertext.subarray(0, split));
      const tail = decipher.final();
      return view(tail.length === 0 ? body : Buffer.concat([body, tail]));
    } catch (cause) {
      throw decryptFailure(cause);
    }
  },

  importDhPrivateKey(curve, secret) {
    if (secret.length !== curveSizes[curve].secret) throw new CipherlayerError('ERR_INVALID_KEY');
    let handle: NodeDhKey;
    let publicKey: Uint8Array;
    try {
      if (curve === 'X25519') {
        const d = Buffer.from(secret.buffer, secret.byteOffset, secret.length).toString('base64url');
        const key = createPrivateKey({
          key: { kty: 'OKP', crv: 'X25519', d, x: PLACEHOLDER_X },
          format: 'jwk',
        });
        const x = createPublicKey(key).export({ format: 'jwk' }).x as string;
        handle = { curve, key };
        publicKey = view(Buffer.from(x, 'base64url'));
      } else {
        const ecdh = createECDH(nistCurveName[curve]);
        ecdh.setPrivateKey(secret);
        handle = { curve, ecdh };
        publicKey = view(ecdh.getPublicKey());
      }
    } catch (cause) {
      throw new CipherlayerError('ERR_INVALID_KEY', { cause });
    }
    const pair: DhKeyPair = { privateKey: handle as unknown as DhPrivateKey, publicKey };
    return pair;
  },

  dh(curve, privateKey, peerPublicKey) {
    checkPublicKey(curve, peerPublicKey);
    const handle = privateKey as unknown as NodeDhKey;
    if (handle.curve !== curve) throw new CipherlayerError('ERR_INVALID_KEY');
    let shared: Buffer;
    try {
      if (handle.curve === 'X25519') {
        const x = Buffer.from(peerPublicKey.buffer, peerPublicKey.byteOffset, peerPublicKey.length).toString(
          'base64url',
        );
        const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
        shared = diffieHellman({ privateKey: handle.key, publicKey });
      } else {
        shared = handle.ecdh.computeSecret(peerPublicKey);
      }
    } catch (cause) {
      throw new CipherlayerError('ERR_INVALID_KEY', { cause });
    }
    if (curve === 'X25519' && shared.every((b) => b === 0)) throw new CipherlayerError('ERR_INVALID_KEY');
    return view(shared);
  },
};
