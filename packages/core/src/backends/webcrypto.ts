import type {
  AeadAlgorithm,
  AeadKey,
  CryptoBackend,
  DhCurve,
  DhKeyPair,
  DhPrivateKey,
} from '../lib/backend.js';
import { curveSizes, derPrefixes } from '../lib/backend.js';
import { concat, fromBase64Url, fromHex } from '../lib/bytes.js';
import { CipherlayerError, decryptFailure } from '../lib/errors.js';

const aeadKeyLength: Record<AeadAlgorithm, number> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32 };
const NONCE_LENGTH = 12;
const MAX_RANDOM_CHUNK = 65536;

const pkcs8Prefix = Object.fromEntries(
  Object.entries(derPrefixes).map(([curve, p]) => [curve, fromHex(p.pkcs8)]),
) as Record<DhCurve, Uint8Array>;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s)
    throw new CipherlayerError('ERR_CONFIG', { detail: 'Web Crypto (crypto.subtle) is not available here' });
  return s;
}

function dhAlgorithm(curve: DhCurve): EcKeyImportParams | Algorithm {
  return curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: curve };
}

/** Copies into a fresh ArrayBuffer-backed array, the only input type every Web Crypto accepts. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Web Crypto backend: browsers, workers, Deno, Bun (and Node, for cross-checks). */
export const webCryptoBackend: CryptoBackend = {
  name: 'webcrypto',

  randomBytes(length) {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += MAX_RANDOM_CHUNK) {
      globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_RANDOM_CHUNK)));
    }
    return out;
  },

  async digest(hash, data) {
    return new Uint8Array(await subtle().digest(hash, own(data)));
  },

  async hmac(hash, key, data) {
    // Web Crypto refuses zero-length HMAC keys; HMAC pads the key with zeros to the block size anyway.
    const material = key.length === 0 ? new Uint8Array(1) : own(key);
    const handle = await subtle().importKey('raw', material, { name: 'HMAC', hash }, false, ['sign']);
    return new Uint8Array(await subtle().sign('HMAC', handle, own(data)));
  },

  async importAeadKey(algorithm, raw) {
    if (raw.length !== aeadKeyLength[algorithm])
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'AEAD key length' });
    const key = await subtle().importKey('raw', own(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    return key as unknown as AeadKey;
  },

  async seal(key, nonce, aad, plaintext, prefix) {
    if (nonce.length !== NONCE_LENGTH)
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'nonce length' });
    const params: AesGcmParams = { name: 'AES-GCM', iv: own(nonce), tagLength: 128 };
    if (aad.length > 0) params.additionalData = own(aad);
    const sealed = new Uint8Array(
      await subtle().encrypt(params, key as unknown as CryptoKey, own(plaintext)),
    );
    return prefix === undefined ? sealed : concat(prefix, sealed);
  },

  async open(key, nonce, aad, ciphertext) {
    if (nonce.length !== NONCE_LENGTH)
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'nonce length' });
    if (ciphertext.length < 16) throw decryptFailure();
    const params: AesGcmParams = { name: 'AES-GCM', iv: own(nonce), tagLength: 128 };
    if (aad.length > 0) params.additionalData = own(aad);
    try {
      return new Uint8Array(await subtle().decrypt(params, key as unknown as CryptoKey, own(ciphertext)));
    } catch (cause) {
      throw decryptFailure(cause);
    }
  },

  async importDhPrivateKey(curve, secret) {
    if (secret.length !== curveSizes[curve].secret) throw new CipherlayerError('ERR_INVALID_KEY');
    let privateKey: CryptoKey;
    let jwk: JsonWebKey;
    try {
      const der = own(concat(pkcs8Prefix[curve], secret));
      // Extractable only long enough to read the public key, then re-imported non-extractable.
      const extractable = await subtle().importKey('pkcs8', der, dhAlgorithm(curve), true, ['deriveBits']);
      jwk = await subtle().exportKey('jwk', extractable);
      privateKey = await subtle().importKey('pkcs8', der, dhAlgorithm(curve), false, ['deriveBits']);
    } catch (cause) {
      throw new CipherlayerError('ERR_INVALID_KEY', { cause });
    }
    const x = fromBase64Url(jwk.x ?? '');
    const publicKey = curve === 'X25519' ? x : concat(Uint8Array.of(4), x, fromBase64Url(jwk.y ?? ''));
    const pair: DhKeyPair = { privateKey: privateKey as unknown as DhPrivateKey, publicKey };
    return pair;
  },

  async dh(curve, privateKey, peerPublicKey) {
    const sizes = curveSizes[curve];
    if (peerPublicKey.length !== sizes.publicKey || (curve !== 'X25519' && peerPublicKey[0] !== 0x04)) {
      throw new CipherlayerError('ERR_INVALID_KEY');
    }
    let shared: Uint8Array;
    try {
      const publicKey = await subtle().importKey('raw', own(peerPublicKey), dhAlgorithm(curve), false, []);
      const algorithm = { name: curve === 'X25519' ? 'X25519' : 'ECDH', public: publicKey };
      shared = new Uint8Array(
        await subtle().deriveBits(
          algorithm as EcdhKeyDeriveParams,
          privateKey as unknown as CryptoKey,
          sizes.shared * 8,
        ),
      );
    } catch (cause) {
      throw new CipherlayerError('ERR_INVALID_KEY', { cause });
    }
    if (curve === 'X25519' && shared.every((b) => b === 0)) throw new CipherlayerError('ERR_INVALID_KEY');
    return shared;
  },
};
