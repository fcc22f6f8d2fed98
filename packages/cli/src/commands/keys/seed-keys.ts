import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { spkiPin } from './key-summary.js';

/**
 * Key material of the seed profiles, in the formats those systems use:
 * rsa-session (seed 001) an RSA-2048 pair as PKCS#8 / SPKI PEM; jwe (seed 004)
 * an EC pair on P-521 (or P-256) as PEM or JWK; static-key (seed 002) a
 * 256-bit AES key in hex, as its AES_KEY variable holds it.
 */
export type SeedProfile = 'rsa-session' | 'jwe' | 'static-key';

export interface SeedKeyMaterial {
  readonly privateText: string;
  /** The public half to publish, when there is one. */
  readonly publicText?: string;
  readonly facts: Record<string, string | number>;
}

export function rsaSessionKey(): SeedKeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
  });
  return {
    privateText: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicText: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    facts: { type: 'RSA', bits: 2048, padding: 'OAEP with SHA-256 (seed 001)', pin: spkiPin(publicKey) },
  };
}

export function jweKey(
  curve: 'P-521' | 'P-256',
  format: 'pem' | 'jwk',
  kid: string | undefined,
): SeedKeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const facts = { type: 'EC', curve, algorithm: 'ECDH-ES with A256GCM (seed 004)', pin: spkiPin(publicKey) };
  if (format === 'pem')
    return {
      privateText: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicText: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      facts,
    };
  const extra = { use: 'enc', alg: 'ECDH-ES', ...(kid === undefined ? {} : { kid }) };
  return {
    privateText: `${JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...extra }, null, 2)}\n`,
    publicText: `${JSON.stringify({ ...publicKey.export({ format: 'jwk' }), ...extra }, null, 2)}\n`,
    facts,
  };
}

export function staticKey(): SeedKeyMaterial {
  const key = randomBytes(32);
  const text = `${key.toString('hex')}\n`;
  key.fill(0);
  return {
    privateText: text,
    facts: { type: 'AES', bits: 256, encoding: 'hex (the AES_KEY variable of seed 002)' },
  };
}

/** A key file of a seed profile, recognised from its text. */
export interface SeedKeyFile {
  readonly kind: 'pem-private' | 'pem-public' | 'jwk-private' | 'jwk-public' | 'static-hex';
  readonly facts: Record<string, string | number>;
  readonly publicKey?: KeyObject;
}

function describePublic(publicKey: KeyObject): Record<string, string | number> {
  const details = publicKey.asymmetricKeyDetails ?? {};
  const type = publicKey.asymmetricKeyType ?? 'unknown';
  return {
    type: type.toUpperCase(),
    ...(details.modulusLength === undefined ? {} : { bits: details.modulusLength }),
    ...(details.namedCurve === undefined ? {} : { curve: curveName(details.namedCurve) }),
    pin: spkiPin(publicKey),
  };
}

function curveName(name: string): string {
  return (
    ({ prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<string, string>)[name] ?? name
  );
}

/** Recognises PEM keys, EC/RSA JWKs and 64-hex-digit AES keys; undefined for anything else. */
export function readSeedKeyFile(text: string): SeedKeyFile | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed))
    return { kind: 'static-hex', facts: { type: 'AES', bits: 256, encoding: 'hex' } };
  if (/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/.test(trimmed)) {
    const publicKey = createPublicKey(createPrivateKey(trimmed));
    return { kind: 'pem-private', facts: describePublic(publicKey), publicKey };
  }
  if (/-----BEGIN PUBLIC KEY-----/.test(trimmed)) {
    const publicKey = createPublicKey(trimmed);
    return { kind: 'pem-public', facts: describePublic(publicKey), publicKey };
  }
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if ((jwk.kty !== 'EC' && jwk.kty !== 'RSA') || 'hpke' in jwk) return undefined;
    const isPrivate = typeof jwk.d === 'string';
    const key = isPrivate
      ? createPublicKey(createPrivateKey({ key: jwk as never, format: 'jwk' }))
      : createPublicKey({ key: jwk as never, format: 'jwk' });
    return {
      kind: isPrivate ? 'jwk-private' : 'jwk-public',
      facts: { ...describePublic(key), ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}) },
      publicKey: key,
    };
  }
  return undefined;
}
