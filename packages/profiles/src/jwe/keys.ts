import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, importPKCS8, type JWK } from 'jose';
import { configError } from '../lib/options.js';

/** One private key of the server, as PEM (PKCS#8, what the seed exports), a private JWK, or a KeyObject. */
export interface JweKeyInput {
  readonly privateKey: string | JWK | KeyObject;
  /** Default: the RFC 7638 thumbprint (SHA-256), the same `kid` node-jose gives a key it imports. */
  readonly kid?: string;
  /** After this (ms since the epoch) the key opens nothing; keep it in the set until then during a rotation. */
  readonly notAfter?: number;
}

/** A usable server key. */
export interface JweServerKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
  /** 'ECDH' (P-256, P-384, P-521, X25519) or 'RSA'. */
  readonly type: 'ECDH' | 'RSA';
  /** The curve of an ECDH key. */
  readonly crv: string | undefined;
  readonly notAfter: number | undefined;
  /** The key as the sender's key of sealed answers (ECDH keys only), imported once. */
  answerKey(): Promise<CryptoKey>;
}

const CURVES = new Set(['P-256', 'P-384', 'P-521', 'X25519']);

function toKeyObject(value: JweKeyInput['privateKey']): KeyObject {
  try {
    if (typeof value === 'string') return createPrivateKey(value);
    if (
      typeof value === 'object' &&
      value !== null &&
      'type' in value &&
      (value as KeyObject).type === 'private'
    )
      return value as KeyObject;
    return createPrivateKey({ key: value as JWK as never, format: 'jwk' });
  } catch (cause) {
    throw configError(
      `a JWE key is not a private key (PEM PKCS#8, JWK or KeyObject): ${(cause as Error).name}`,
    );
  }
}

async function serverKey(input: JweKeyInput): Promise<JweServerKey> {
  if (typeof input !== 'object' || input === null)
    throw configError('each key is { privateKey, kid?, notAfter? }');
  const privateKey = toKeyObject(input.privateKey);
  if (privateKey.type !== 'private') throw configError('a JWE key must be a private key');
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  let type: 'ECDH' | 'RSA';
  if (publicJwk.kty === 'RSA') {
    if ((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw configError('RSA keys must be at least 2048 bits');
    type = 'RSA';
  } else if ((publicJwk.kty === 'EC' || publicJwk.kty === 'OKP') && CURVES.has(String(publicJwk.crv))) {
    type = 'ECDH';
  } else {
    throw configError('JWE keys are EC (P-256, P-384, P-521), X25519 or RSA');
  }
  const kid = input.kid ?? (await calculateJwkThumbprint(publicJwk, 'sha256'));
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)
    throw configError('kid must be a short string');
  if (input.notAfter !== undefined && !Number.isSafeInteger(input.notAfter))
    throw configError('notAfter must be ms since the epoch');
  let answerKey: Promise<CryptoKey> | undefined;
  return {
    kid,
    privateKey,
    publicJwk: { ...publicJwk, kid, use: 'enc' },
    type,
    crv: type === 'ECDH' ? String(publicJwk.crv) : undefined,
    notAfter: input.notAfter,
    answerKey() {
      // jose takes the sender's key of ECDH-ES as an extractable CryptoKey; it never leaves the process.
      answerKey ??= importPKCS8(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'ECDH-ES', {
        extractable: true,
      });
      return answerKey;
    },
  };
}

/**
 * The server's keys, for rotation: the first is the current one (listed
 * first in the published key set), every one opens requests sealed to it
 * until its `notAfter`. A request names its key with `kid` (node-jose puts
 * the key's thumbprint there); one without `kid` may only use the current
 * key of its type.
 */
export class JweKeySet {
  readonly keys: readonly JweServerKey[];
  readonly #byKid: ReadonlyMap<string, JweServerKey>;

  private constructor(keys: readonly JweServerKey[]) {
    this.keys = keys;
    this.#byKid = new Map(keys.map((key) => [key.kid, key]));
    if (this.#byKid.size !== keys.length) throw configError('two JWE keys have the same kid');
  }

  static async from(inputs: readonly JweKeyInput[]): Promise<JweKeySet> {
    if (!Array.isArray(inputs) || inputs.length === 0) throw configError('keys: give at least one key');
    return new JweKeySet(await Promise.all(inputs.map(serverKey)));
  }

  /** The key a request names (or, without `kid`, the first key of the right type and curve), if valid now. */
  select(
    kid: string | undefined,
    type: 'ECDH' | 'RSA',
    crv: string | undefined,
    now: number,
  ): JweServerKey | undefined {
    const key =
      kid === undefined
        ? this.keys.find((k) => k.type === type && (crv === undefined || k.crv === crv))
        : this.#byKid.get(kid);
    if (key === undefined || key.type !== type || (crv !== undefined && key.crv !== crv)) return undefined;
    if (key.notAfter !== undefined && key.notAfter <= now) return undefined;
    return key;
  }

  /** The public JWK Set (RFC 7517), current key first. */
  publicJwks(now: number): { keys: JWK[] } {
    return {
      keys: this.keys.filter((k) => k.notAfter === undefined || k.notAfter > now).map((k) => k.publicJwk),
    };
  }
}
