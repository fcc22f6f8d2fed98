import { configError } from '../lib/options.js';

/**
 * What the jwe profile may accept. Key management: ECDH-ES (direct key
 * agreement, what seed 004's client writes), its key-wrapping variants, and
 * RSA-OAEP with SHA-2. Never `dir` (a shared symmetric key: the downgrade
 * from public-key encryption), never PBES2 (passwords), never RSA1_5
 * (padding oracles), never the symmetric key wraps (the server has no
 * shared secret). Content encryption: AES-GCM and AES-CBC-HMAC-SHA2.
 */
export const KEY_MANAGEMENT = [
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
  'RSA-OAEP',
  'RSA-OAEP-256',
  'RSA-OAEP-384',
  'RSA-OAEP-512',
] as const;
export const CONTENT_ENCRYPTION = [
  'A128GCM',
  'A192GCM',
  'A256GCM',
  'A128CBC-HS256',
  'A192CBC-HS384',
  'A256CBC-HS512',
] as const;

export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT)[number];
export type ContentEncryptionAlgorithm = (typeof CONTENT_ENCRYPTION)[number];

/**
 * The defaults: ECDH-ES and ECDH-ES+A256KW on the EC and X25519 keys,
 * RSA-OAEP-256 on RSA keys; A256GCM (our client) and A128CBC-HS256, which
 * is what node-jose writes when the seed's `createJWEToken` gives it no
 * `enc` (run it: its protected header says `"enc":"A128CBC-HS256"`).
 */
export const DEFAULT_KEY_MANAGEMENT: readonly KeyManagementAlgorithm[] = [
  'ECDH-ES',
  'ECDH-ES+A256KW',
  'RSA-OAEP-256',
];
export const DEFAULT_CONTENT_ENCRYPTION: readonly ContentEncryptionAlgorithm[] = ['A256GCM', 'A128CBC-HS256'];

const REFUSED = /^(dir|PBES2|RSA1_5|A\d+KW|A\d+GCMKW)/;

function subset<T extends string>(
  value: unknown,
  allowed: readonly T[],
  name: string,
  fallback: readonly T[],
): readonly T[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0) throw configError(`${name} must be a non-empty list`);
  for (const item of value) {
    if (typeof item === 'string' && REFUSED.test(item))
      throw configError(`${name}: ${item} is never accepted (no dir, PBES2, RSA1_5 or symmetric key wrap)`);
    if (!allowed.includes(item as T))
      throw configError(`${name}: ${String(item)} is not one of ${allowed.join(', ')}`);
  }
  return [...new Set(value as T[])];
}

export function keyManagementOption(value: unknown): readonly KeyManagementAlgorithm[] {
  return subset(value, KEY_MANAGEMENT, 'keyManagementAlgorithms', DEFAULT_KEY_MANAGEMENT);
}

export function contentEncryptionOption(value: unknown): readonly ContentEncryptionAlgorithm[] {
  return subset(value, CONTENT_ENCRYPTION, 'contentEncryptionAlgorithms', DEFAULT_CONTENT_ENCRYPTION);
}

/** The key type an algorithm needs. */
export function keyTypeFor(alg: string): 'ECDH' | 'RSA' {
  return alg.startsWith('RSA-') ? 'RSA' : 'ECDH';
}
