import { createPrivateKey, type KeyObject } from 'node:crypto';
import { failure, inputError } from '../../lib/cli-error.js';
import { readInput } from '../../lib/files.js';
import { refuseOpenPrivateFile } from '../keys/any-key-file.js';

/**
 * A key file given to open a seed-profile envelope: an AES-256 key (seed
 * 002's AES_KEY as 64 hex digits, base64 of 32 bytes, 32 raw bytes, or an
 * "oct" JWK) or a private key (PKCS#8 or PKCS#1 PEM, or a private JWK).
 * Public keys and key sets are recognised, to say why they cannot serve.
 */
export type SeedKey =
  | { readonly kind: 'aes'; readonly key: Uint8Array; readonly label: string }
  | { readonly kind: 'private'; readonly key: KeyObject; readonly kid?: string; readonly label: string }
  | { readonly kind: 'public'; readonly label: string }
  /** A set of keys (a cl1 key set or a JWK Set): a seed envelope opens with one key. */
  | { readonly kind: 'key-set'; readonly label: string };

const CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** "RSA-2048", "EC P-521", "X25519": what a private key is, for messages. */
export function describeKeyObject(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return `RSA-${details.modulusLength ?? '?'}`;
  if (type === 'ec') return `EC ${CURVES[details.namedCurve ?? ''] ?? details.namedCurve ?? '?'}`;
  return type.toUpperCase();
}

function aes(key: Uint8Array, encoding: string): SeedKey {
  return { kind: 'aes', key, label: `an AES-256 key (${encoding})` };
}

function privateKey(key: KeyObject, kid?: unknown): SeedKey {
  return {
    kind: 'private',
    key,
    ...(typeof kid === 'string' ? { kid } : {}),
    label: `an ${describeKeyObject(key)} private key`,
  };
}

function fromJwk(jwk: Record<string, unknown>): SeedKey | undefined {
  if (Array.isArray(jwk.keys))
    return jwk.keys.some((k) => typeof k === 'object' && k !== null && 'hpke' in k)
      ? { kind: 'key-set', label: 'a cl1 key set' }
      : { kind: 'key-set', label: 'a JWK set (give the one private key, as a JWK or PEM)' };
  if (jwk.kty === 'oct' && typeof jwk.k === 'string') {
    const key = Buffer.from(jwk.k, 'base64url');
    return key.length === 32 ? aes(key, 'JWK') : undefined;
  }
  if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') return undefined;
  if (typeof jwk.d !== 'string') return { kind: 'public', label: `a public ${String(jwk.kty)} JWK` };
  return privateKey(createPrivateKey({ key: jwk as never, format: 'jwk' }), jwk.kid);
}

function parse(bytes: Buffer): SeedKey | undefined {
  const text = bytes.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return aes(Buffer.from(text, 'hex'), 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text))
    return aes(Buffer.from(text, 'base64'), 'base64');
  if (/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text))
    return privateKey(createPrivateKey(text));
  if (/-----BEGIN (?:RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text))
    return { kind: 'public', label: 'a public key' };
  if (text.startsWith('{')) return fromJwk(JSON.parse(text) as Record<string, unknown>);
  if (bytes.length === 32) return aes(bytes, 'raw');
  return undefined;
}

const EXPECTED =
  'expected an AES-256 key (64 hex digits, base64 of 32 bytes, 32 raw bytes) or a private key (PEM or JWK)';

/** Reads a key file for a seed envelope; a file with secret material must be 0600. */
export async function readSeedKey(path: string, option: string): Promise<SeedKey> {
  const bytes = await readInput(path, 'key file');
  let key: SeedKey | undefined;
  try {
    key = parse(bytes);
  } catch (error) {
    // node:crypto's and JSON's messages describe the format, never the key; kept as the cause only.
    throw inputError(`${option} ${path} cannot be read as a key: ${EXPECTED}`, error);
  }
  if (key === undefined) throw inputError(`${option} ${path} is not a key: ${EXPECTED}`);
  if (key.kind !== 'public') await refuseOpenPrivateFile(path, 'key file');
  return key;
}

/** The key file is of another kind than the envelope needs: exit 3, saying what it needs. */
export function wrongKeyType(option: string, path: string, key: SeedKey, needs: string): never {
  throw inputError(`${option} ${path} holds ${key.label}; ${needs}`);
}

/**
 * The one failure of a decryption, whatever failed inside (key unwrap,
 * tag, padding, a truncated part): never which check, never a byte.
 */
export function cannotDecrypt(cause: unknown): never {
  throw failure(
    'ERR_DECRYPT',
    'cannot decrypt with this key: another key than the message was sealed with, or an altered or truncated message',
    cause,
  );
}
