import { deriveSecretKey, importPrivateKey } from '../hpke/kem.js';
import { hpkeSuite, type Suite, X25519_SHA256_AES256GCM } from '../hpke/suites.js';
import type { DhKeyPair } from '../lib/backend.js';
import { concat, fromBase64Url, toBase64Url } from '../lib/bytes.js';
import { CipherlayerError, configError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';

/** A private key as stored in a key file: a JWK with the HPKE suite and validity beside it. */
export interface PrivateKeyJwk {
  kty: 'OKP' | 'EC';
  crv: string;
  x: string;
  y?: string;
  d: string;
  kid: string;
  use: 'enc';
  hpke: { kem: number; kdf: number; aead: number };
  /** ISO 8601; absent means "valid from the start" / "never expires". */
  notBefore?: string;
  notAfter?: string;
}

/** The public half, as it appears in a discovery document. */
export type PublicKeyJwk = Omit<PrivateKeyJwk, 'd'>;

const inspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * One server key pair with its id and validity. The private scalar is held
 * in a private field: JSON.stringify and console.log show the public view.
 */
export class ServerKey {
  readonly #secret: Uint8Array;

  constructor(
    readonly keyId: number,
    readonly suite: Suite,
    readonly keyPair: DhKeyPair,
    secret: Uint8Array,
    /** Milliseconds since the epoch; undefined means unbounded. */
    readonly notBefore?: number,
    readonly notAfter?: number,
  ) {
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 255)
      throw configError('keyId must be an integer from 0 to 255');
    if (notBefore !== undefined && notAfter !== undefined && notAfter <= notBefore) {
      throw configError('notAfter must be later than notBefore');
    }
    this.#secret = secret;
  }

  get publicKey(): Uint8Array {
    return this.keyPair.publicKey;
  }

  /** Whether the key may open messages at `now`. */
  isValidAt(now: number): boolean {
    return (
      (this.notBefore === undefined || now >= this.notBefore) &&
      (this.notAfter === undefined || now < this.notAfter)
    );
  }

  toPublicJwk(): PublicKeyJwk {
    const { curve } = this.suite.kem;
    const raw = this.keyPair.publicKey;
    const size = (raw.length - 1) / 2;
    const jwk: PublicKeyJwk =
      curve === 'X25519'
        ? {
            kty: 'OKP',
            crv: 'X25519',
            x: toBase64Url(raw),
            kid: String(this.keyId),
            use: 'enc',
            hpke: this.#suiteIds(),
          }
        : {
            kty: 'EC',
            crv: curve,
            x: toBase64Url(raw.subarray(1, 1 + size)),
            y: toBase64Url(raw.subarray(1 + size)),
            kid: String(this.keyId),
            use: 'enc',
            hpke: this.#suiteIds(),
          };
    if (this.notBefore !== undefined) jwk.notBefore = new Date(this.notBefore).toISOString();
    if (this.notAfter !== undefined) jwk.notAfter = new Date(this.notAfter).toISOString();
    return jwk;
  }

  /** The key file form. Handle the result as a secret. */
  toPrivateJwk(): PrivateKeyJwk {
    return { ...this.toPublicJwk(), d: toBase64Url(this.#secret) };
  }

  #suiteIds() {
    return { kem: this.suite.kem.id, kdf: this.suite.kdf.id, aead: this.suite.aead.id };
  }

  toJSON(): PublicKeyJwk {
    return this.toPublicJwk();
  }

  [inspect](): string {
    return `ServerKey { keyId: ${this.keyId}, suite: ${this.suite.kem.curve}, private key redacted }`;
  }
}

export interface ServerKeyOptions {
  keyId: number;
  suite?: Suite;
  notBefore?: Date | number;
  notAfter?: Date | number;
}

const millis = (value: Date | number | undefined) => (value instanceof Date ? value.getTime() : value);

/** A fresh key pair (DeriveKeyPair over random bytes). */
export function* generateServerKey(options: ServerKeyOptions): Flow<ServerKey> {
  const suite = options.suite ?? X25519_SHA256_AES256GCM;
  const ikm = yield* call((b) => b.randomBytes(suite.kem.nSk));
  const secret = yield* deriveSecretKey(suite.kem, suite.kemSuiteId, ikm);
  const keyPair = yield* importPrivateKey(suite.kem, secret);
  return new ServerKey(
    options.keyId,
    suite,
    keyPair,
    secret,
    millis(options.notBefore),
    millis(options.notAfter),
  );
}

function parseTime(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw configError('notBefore/notAfter must be ISO 8601 dates');
  return time;
}

/** Reads a key file entry; the public key in it must match the private scalar. */
export function* importServerKey(jwk: PrivateKeyJwk): Flow<ServerKey> {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string' || typeof jwk.hpke !== 'object') {
    throw configError('not a cipherlayer private key (JWK with d and hpke members)');
  }
  const keyId = Number(jwk.kid);
  const suite = hpkeSuite(jwk.hpke.kem, jwk.hpke.kdf, jwk.hpke.aead);
  const secret = fromBase64Url(jwk.d);
  const keyPair = yield* importPrivateKey(suite.kem, secret);
  const expected =
    jwk.kty === 'OKP'
      ? fromBase64Url(jwk.x)
      : concat(Uint8Array.of(4), fromBase64Url(jwk.x), fromBase64Url(jwk.y ?? ''));
  const publicKey = keyPair.publicKey;
  if (expected.length !== publicKey.length || !expected.every((byte, i) => byte === publicKey[i])) {
    throw new CipherlayerError('ERR_INVALID_KEY', {
      detail: `public key of kid ${keyId} does not match its private key`,
    });
  }
  return new ServerKey(keyId, suite, keyPair, secret, parseTime(jwk.notBefore), parseTime(jwk.notAfter));
}
