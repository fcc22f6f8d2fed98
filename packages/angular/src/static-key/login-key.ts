import { CipherlayerError, fromBase64 } from '@cipherlayer/core';
import { IV_BYTES, splitEnvelope, TAG_BYTES } from './envelope.js';
import { KEY_BYTES } from './key-source.js';

/**
 * What the login response carries for the per-session key (the wire shape
 * the server side must produce; README, "Per-session key"):
 *
 *   salt        base64, 16 to 64 random bytes, per user or per login
 *   iterations  PBKDF2-HMAC-SHA256 iterations
 *   wrappedKey  base64(iv(12) ‖ tag(16) ‖ ciphertext(32)): the 32-byte
 *               session key sealed with AES-256-GCM, no associated data,
 *               under PBKDF2-HMAC-SHA256(UTF-8(password), salt,
 *               iterations, 32 bytes)
 *
 * The password is the string exactly as the login request sent it, UTF-8,
 * without normalisation, so that both sides derive from the same bytes.
 */
export interface WrappedSessionKey {
  readonly salt: string;
  readonly iterations: number;
  readonly wrappedKey: string;
}

export interface IterationBounds {
  readonly minIterations: number;
  readonly maxIterations: number;
}

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_MIN_ITERATIONS = 600_000;
/** A few seconds in a browser: a server (or anyone who can change its answer) cannot make the tab spin longer. */
export const DEFAULT_MAX_ITERATIONS = 5_000_000;

const MIN_SALT_BYTES = 16;
const MAX_SALT_BYTES = 64;
const FIELDS = ['salt', 'iterations', 'wrappedKey'];

function malformed(detail: string, cause?: unknown): CipherlayerError {
  return new CipherlayerError('ERR_MALFORMED', { detail, cause });
}

function decodeField(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') throw malformed(`${name} must be a base64 string`);
  try {
    return fromBase64(value);
  } catch (cause) {
    throw malformed(`${name} must be standard padded base64`, cause);
  }
}

/**
 * Checks the shape before any work: unknown fields are refused too, so a
 * server that moves to another KDF fails here with a clear error rather
 * than as a wrong password.
 */
function readWrappedSessionKey(value: unknown, bounds: IterationBounds) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed('the wrapped session key must be an object { salt, iterations, wrappedKey }');
  }
  const fields = Object.keys(value);
  if (fields.length !== FIELDS.length || !FIELDS.every((name) => fields.includes(name))) {
    throw malformed('the wrapped session key must have exactly the fields salt, iterations, wrappedKey');
  }
  const { salt, iterations, wrappedKey } = value as Record<string, unknown>;
  const saltBytes = decodeField(salt, 'salt');
  if (saltBytes.length < MIN_SALT_BYTES || saltBytes.length > MAX_SALT_BYTES) {
    throw malformed(`salt must be ${MIN_SALT_BYTES} to ${MAX_SALT_BYTES} bytes`);
  }
  if (
    typeof iterations !== 'number' ||
    !Number.isSafeInteger(iterations) ||
    iterations < bounds.minIterations ||
    iterations > bounds.maxIterations
  ) {
    throw malformed(`iterations must be an integer from ${bounds.minIterations} to ${bounds.maxIterations}`);
  }
  const wrapped = decodeField(wrappedKey, 'wrappedKey');
  if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) {
    throw malformed('wrappedKey must be iv(12) ‖ tag(16) ‖ a 32-byte key');
  }
  return { salt: new Uint8Array(saltBytes), iterations, wrapped: splitEnvelope(wrapped) };
}

/**
 * Derives the wrapping key from the password with PBKDF2-SHA256 and unwraps
 * the session key, all inside Web Crypto: neither key is ever extractable,
 * and the session key's bytes never reach JavaScript. A wrong password and
 * a tampered wrappedKey are the same generic ERR_DECRYPT.
 */
export async function unwrapSessionKey(
  value: unknown,
  password: string,
  bounds: IterationBounds,
): Promise<CryptoKey> {
  if (typeof password !== 'string') {
    throw new CipherlayerError('ERR_CONFIG', { detail: 'the password must be a string' });
  }
  const { salt, iterations, wrapped } = readWrappedSessionKey(value, bounds);
  const passwordBytes = new TextEncoder().encode(password);
  try {
    const base = await crypto.subtle.importKey('raw', passwordBytes, 'PBKDF2', false, ['deriveKey']);
    const wrappingKey = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['unwrapKey'],
    );
    return await crypto.subtle.unwrapKey(
      'raw',
      wrapped.sealed,
      wrappingKey,
      { name: 'AES-GCM', iv: wrapped.iv },
      { name: 'AES-GCM' },
      false,
      ['encrypt', 'decrypt'],
    );
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  } finally {
    passwordBytes.fill(0);
  }
}
