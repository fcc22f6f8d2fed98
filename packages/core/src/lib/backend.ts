/**
 * The one small interface between the protocol and the crypto library.
 * Everything here is a standard primitive; nothing is implemented by us.
 *
 * Two implementations exist: `nodeBackend` (node:crypto, synchronous) and
 * `webCryptoBackend` (Web Crypto, asynchronous). Keys are opaque handles that
 * belong to the backend that made them.
 */
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type DhCurve = 'X25519' | 'P-256' | 'P-384' | 'P-521';
export type AeadAlgorithm = 'AES-128-GCM' | 'AES-256-GCM';

declare const aeadKeyBrand: unique symbol;
declare const dhKeyBrand: unique symbol;

/** An AEAD key handle: raw bytes kept by node:crypto, a non-extractable CryptoKey in Web Crypto. */
export interface AeadKey {
  readonly [aeadKeyBrand]: true;
}

/** A Diffie-Hellman private key handle. */
export interface DhPrivateKey {
  readonly [dhKeyBrand]: true;
}

export interface DhKeyPair {
  readonly privateKey: DhPrivateKey;
  /** Raw public key: 32 bytes for X25519, the uncompressed point for NIST curves. */
  readonly publicKey: Uint8Array;
}

type MaybePromise<T> = T | Promise<T>;
/** Bytes backed by a plain ArrayBuffer (what fetch, Blob and Web Crypto accept). */
type Bytes = Uint8Array<ArrayBuffer>;

export interface CryptoBackend {
  readonly name: string;
  /** Cryptographically secure random bytes (synchronous in every runtime). */
  randomBytes(length: number): Uint8Array;
  digest(hash: HashName, data: Uint8Array): MaybePromise<Uint8Array>;
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): MaybePromise<Uint8Array>;
  importAeadKey(algorithm: AeadAlgorithm, raw: Uint8Array): MaybePromise<AeadKey>;
  /**
   * AEAD encryption; returns prefix || ciphertext || 16-byte tag. The prefix
   * (a message header, say) is copied as is, so a whole message costs one
   * output allocation.
   */
  seal(
    key: AeadKey,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    prefix?: Uint8Array,
  ): MaybePromise<Bytes>;
  /** AEAD decryption; any failure throws ERR_DECRYPT. */
  open(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * Imports a private scalar (X25519: 32 bytes; NIST: big-endian, range
   * already checked by the caller) and computes its public key.
   */
  importDhPrivateKey(curve: DhCurve, secret: Uint8Array): MaybePromise<DhKeyPair>;
  /**
   * Diffie-Hellman with a raw peer public key. The peer key is validated
   * (on the curve, not the identity) and an all-zero X25519 result is
   * rejected; failures throw ERR_INVALID_KEY.
   */
  dh(curve: DhCurve, privateKey: DhPrivateKey, peerPublicKey: Uint8Array): MaybePromise<Uint8Array>;
}

/** A backend whose every operation answers synchronously (node:crypto). */
export interface SyncCryptoBackend extends CryptoBackend {
  digest(hash: HashName, data: Uint8Array): Uint8Array;
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  importAeadKey(algorithm: AeadAlgorithm, raw: Uint8Array): AeadKey;
  seal(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, prefix?: Uint8Array): Bytes;
  open(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  importDhPrivateKey(curve: DhCurve, secret: Uint8Array): DhKeyPair;
  dh(curve: DhCurve, privateKey: DhPrivateKey, peerPublicKey: Uint8Array): Uint8Array;
}

export const curveSizes: Record<DhCurve, { secret: number; publicKey: number; shared: number }> = {
  X25519: { secret: 32, publicKey: 32, shared: 32 },
  'P-256': { secret: 32, publicKey: 65, shared: 32 },
  'P-384': { secret: 48, publicKey: 97, shared: 48 },
  'P-521': { secret: 66, publicKey: 133, shared: 66 },
};

/** DER prefixes that turn a raw key into PKCS#8 / SPKI (fixed by the ASN.1 of each curve). */
export const derPrefixes: Record<DhCurve, { pkcs8: string; spki: string }> = {
  X25519: { pkcs8: '302e020100300506032b656e04220420', spki: '302a300506032b656e032100' },
  // PKCS#8 with an ECPrivateKey that omits the optional public key; the library recomputes it.
  'P-256': {
    pkcs8: '3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420',
    spki: '3059301306072a8648ce3d020106082a8648ce3d030107034200',
  },
  'P-384': {
    pkcs8: '304e020100301006072a8648ce3d020106052b81040022043730350201010430',
    spki: '3076301006072a8648ce3d020106052b81040022036200',
  },
  'P-521': {
    pkcs8: '3060020100301006072a8648ce3d020106052b81040023044930470201010442',
    spki: '30819b301006072a8648ce3d020106052b8104002303818600',
  },
};
