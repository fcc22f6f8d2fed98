import { CipherlayerError } from '@cipherlayer/core';

/** What the keyring was doing: decides whether a missing key is the caller's data or the keyring's setup. */
export type KmsAction = 'Encrypt' | 'Decrypt' | 'ReEncrypt' | 'DescribeKey';

const decryptFailures = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
const keyMissing = new Set(['NotFoundException']);
const keyUnusable = new Set(['DisabledException', 'KMSInvalidStateException']);
const refused = new Set([
  'AccessDeniedException',
  'CredentialsProviderError',
  'ExpiredTokenException',
  'IncompleteSignatureException',
  'InvalidArnException',
  'InvalidClientTokenId',
  'InvalidGrantTokenException',
  'InvalidKeyUsageException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'ValidationException',
]);
const unavailable = new Set([
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'KMSInternalException',
  'LimitExceededException',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'TimeoutError',
]);

interface SdkError {
  readonly name?: unknown;
  /** Node's network error code (ECONNREFUSED, ECONNRESET, ENOTFOUND, …) when no response came back. */
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Maps an SDK failure to a CipherlayerError. The detail names the action and
 * the key (ARN or configured id), never a credential; the SDK error, whose
 * message may name the caller's IAM principal, stays in `cause` only.
 */
export function kmsFailure(cause: unknown, action: KmsAction, key: string): CipherlayerError {
  if (cause instanceof CipherlayerError) return cause;
  const error = (typeof cause === 'object' && cause !== null ? cause : {}) as SdkError;
  const name = typeof error.name === 'string' ? error.name : '';
  const status = error.$metadata?.httpStatusCode;
  const readsStoredKey = action === 'Decrypt' || action === 'ReEncrypt';
  if (decryptFailures.has(name) && readsStoredKey) return new CipherlayerError('ERR_DECRYPT', { cause });
  if (keyMissing.has(name) || keyUnusable.has(name)) {
    if (readsStoredKey) return new CipherlayerError('ERR_UNKNOWN_KEY', { detail: key, cause });
    return new CipherlayerError('ERR_CONFIG', {
      detail: `AwsKmsKeyring: KMS key ${key} ${keyMissing.has(name) ? 'was not found; check keyId and region' : 'is disabled or pending deletion'}`,
      cause,
    });
  }
  if (refused.has(name) || status === 401 || status === 403) {
    return new CipherlayerError('ERR_CONFIG', {
      detail: `AwsKmsKeyring: AWS KMS refused ${action} on ${key} (${name || status}); check the credentials, kms:${action} in the key policy or IAM, and the region`,
      cause,
    });
  }
  const networkError = status === undefined && typeof error.code === 'string';
  if (unavailable.has(name) || networkError || status === 429 || (status !== undefined && status >= 500)) {
    return new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
  }
  return new CipherlayerError('ERR_INTERNAL', { cause });
}
