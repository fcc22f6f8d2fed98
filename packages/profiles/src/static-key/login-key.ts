import { CipherlayerError, fromBase64 } from '@cipherlayer/core';
import type { WrappedSessionKey } from './wrapped-session-key.js';

export interface IterationBounds {
  /** Fewest PBKDF2 iterations accepted. Default 600 000. */
  readonly minIterations?: number;
  /** Most accepted, so that a login answer cannot freeze the tab. Default 5 000 000. */
  readonly maxIterations?: number;
}

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_MIN_ITERATIONS = 600_000;
/** A few seconds in a browser: a server (or anyone who can change its answer) cannot make the tab spin longer. */
export const DEFAULT_MAX_ITERATIONS = 5_000_000;

const FIELDS = ['iterations', 'salt', 'wrappedKey'];

function malformed(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_MALFORMED', { detail });
}

function decode(value: unknown, name: string): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string') throw malformed(`${name} must be base64`);
  try {
    return new Uint8Array(fromBase64(value));
  } catch {
    throw malformed(`${name} must be standard padded base64`);
  }
}

/**
 * The browser half of the login-derived session key: PBKDF2-HMAC-SHA256 of
 * the password the user just typed, with the grant's salt and iterations,
 * unwraps the session key inside Web Crypto. The result is an AES-GCM
 * CryptoKey (encrypt, decrypt) that is not extractable: its bytes never
 * reach JavaScript. A wrong password and a tampered grant are the same
 * ERR_DECRYPT; a grant of the wrong shape is ERR_MALFORMED. The one
 * implementation: `@cipherlayer/angular`'s `SessionKeyStore` calls it too.
 */
export async function deriveSessionKeyFromLogin(
  password: string,
  grant: WrappedSessionKey,
  bounds: IterationBounds = {},
): Promise<CryptoKey> {
  const min = bounds.minIterations ?? DEFAULT_MIN_ITERATIONS;
  const max = bounds.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (typeof password !== 'string')
    throw new CipherlayerError('ERR_CONFIG', { detail: 'password must be a string' });
  if (typeof grant !== 'object' || grant === null || Object.keys(grant).sort().join() !== FIELDS.join())
    throw malformed('the grant must be exactly { salt, iterations, wrappedKey }');
  const { iterations } = grant;
  if (!Number.isSafeInteger(iterations) || iterations < min || iterations > max)
    throw malformed(`iterations must be an integer from ${min} to ${max}`);
  const salt = decode(grant.salt, 'salt');
  if (salt.length < 16 || salt.length > 64) throw malformed('salt must be 16 to 64 bytes');
  const wrapped = decode(grant.wrappedKey, 'wrappedKey');
  if (wrapped.length !== 12 + 16 + 32) throw malformed('wrappedKey must be iv(12) ‖ tag(16) ‖ a 32-byte key');
  // Web Crypto's order is ciphertext ‖ tag.
  const sealed = new Uint8Array(48);
  sealed.set(wrapped.subarray(28), 0);
  sealed.set(wrapped.subarray(12, 28), 32);
  const secret = new TextEncoder().encode(password);
  try {
    const base = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveKey']);
    const wrapping = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['unwrapKey'],
    );
    return await crypto.subtle.unwrapKey(
      'raw',
      sealed,
      wrapping,
      { name: 'AES-GCM', iv: wrapped.slice(0, 12) },
      { name: 'AES-GCM' },
      false,
      ['encrypt', 'decrypt'],
    );
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  } finally {
    secret.fill(0);
  }
}
