import { CipherlayerError } from '@cipherlayer/core';

/** The CKR_* name of a pkcs11js error (its message is exactly that name), or undefined for anything else. */
export function ckrName(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /^CKR_[A-Z0-9_]+$/.exec(error.message);
  return match?.[0];
}

/** The token or the session went away: the keyring cannot reach its KEKs right now. */
const unavailable = new Set([
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_MEMORY',
  'CKR_DEVICE_REMOVED',
  'CKR_FUNCTION_FAILED',
  'CKR_HOST_MEMORY',
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_USER_NOT_LOGGED_IN',
]);

/** The KEK or the mechanism does not allow what the keyring asks: a setup mistake, not bad data. */
const misconfigured = new Set([
  'CKR_KEY_FUNCTION_NOT_PERMITTED',
  'CKR_KEY_TYPE_INCONSISTENT',
  'CKR_KEY_SIZE_RANGE',
  'CKR_MECHANISM_INVALID',
  'CKR_MECHANISM_PARAM_INVALID',
  'CKR_KEY_NOT_WRAPPABLE',
  'CKR_WRAPPING_KEY_TYPE_INCONSISTENT',
]);

/**
 * Maps a failure while sealing (wrap) to a CipherlayerError. `kekId` names
 * the KEK in the detail; nothing from the data key ever does.
 */
export function sealFailure(cause: unknown, kekId: string): CipherlayerError {
  if (cause instanceof CipherlayerError) return cause;
  const name = ckrName(cause);
  if (name !== undefined && unavailable.has(name))
    return new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
  if (name === 'CKR_KEY_HANDLE_INVALID')
    return new CipherlayerError('ERR_UNKNOWN_KEY', { detail: kekId, cause });
  if (name !== undefined && misconfigured.has(name)) {
    return new CipherlayerError('ERR_CONFIG', {
      detail: `the token refused to use KEK ${kekId} (${name}); check its CKA_ENCRYPT/CKA_WRAP attributes and the mechanism option`,
      cause,
    });
  }
  return new CipherlayerError('ERR_INTERNAL', { cause });
}

/**
 * Maps a failure while opening (unwrap) to a CipherlayerError. Everything
 * that is not an unreachable token or a vanished KEK is the one generic
 * decryption failure: SoftHSM2, for one, reports a bad GCM tag as
 * CKR_GENERAL_ERROR, so no finer split would be reliable anyway.
 */
export function openFailure(cause: unknown, kekId: string): CipherlayerError {
  if (cause instanceof CipherlayerError) return cause;
  const name = ckrName(cause);
  if (name !== undefined && unavailable.has(name))
    return new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
  if (name === 'CKR_KEY_HANDLE_INVALID')
    return new CipherlayerError('ERR_UNKNOWN_KEY', { detail: kekId, cause });
  if (name !== undefined && misconfigured.has(name)) return sealFailure(cause, kekId);
  return new CipherlayerError('ERR_DECRYPT', { cause });
}
