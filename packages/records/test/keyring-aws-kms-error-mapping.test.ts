import { describe, expect, it } from 'vitest';
import { kmsFailure } from '../src/keyrings/aws-kms/errors.js';

const sdkError = (name: string, status?: number, code?: string) =>
  Object.assign(new Error(`${name} from the SDK, naming arn:aws:iam::111122223333:role/app`), {
    name,
    ...(code === undefined ? {} : { code }),
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });

const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('AwsKmsKeyring error mapping', () => {
  it.each([
    ['InvalidCiphertextException', 400, 'Decrypt', 'ERR_DECRYPT'],
    ['IncorrectKeyException', 400, 'ReEncrypt', 'ERR_DECRYPT'],
    ['NotFoundException', 400, 'Decrypt', 'ERR_UNKNOWN_KEY'],
    ['KMSInvalidStateException', 400, 'ReEncrypt', 'ERR_UNKNOWN_KEY'],
    ['NotFoundException', 400, 'Encrypt', 'ERR_CONFIG'],
    ['DisabledException', 400, 'DescribeKey', 'ERR_CONFIG'],
    ['AccessDeniedException', 400, 'Decrypt', 'ERR_CONFIG'],
    ['ExpiredTokenException', 400, 'Encrypt', 'ERR_CONFIG'],
    ['CredentialsProviderError', undefined, 'Encrypt', 'ERR_CONFIG'],
    ['SomethingNew', 403, 'Encrypt', 'ERR_CONFIG'],
    ['KeyUnavailableException', 500, 'Decrypt', 'ERR_STORE_UNAVAILABLE'],
    ['ThrottlingException', 400, 'Encrypt', 'ERR_STORE_UNAVAILABLE'],
    ['TimeoutError', undefined, 'Encrypt', 'ERR_STORE_UNAVAILABLE'],
    ['SomethingNew', 503, 'Encrypt', 'ERR_STORE_UNAVAILABLE'],
    ['SomethingNew', 429, 'Encrypt', 'ERR_STORE_UNAVAILABLE'],
    ['SomethingNew', 400, 'Encrypt', 'ERR_INTERNAL'],
  ] as const)('%s (%s) during %s → %s', (name, status, action, code) => {
    const error = kmsFailure(sdkError(name, status), action, key);
    expect(error.code).toBe(code);
    // The SDK's text (which may name the IAM principal) stays in `cause`.
    expect(error.message).not.toContain('role/app');
  });

  it('maps Node network errors without a response to ERR_STORE_UNAVAILABLE, and our own bugs to ERR_INTERNAL', () => {
    expect(kmsFailure(sdkError('Error', undefined, 'ECONNRESET'), 'Encrypt', key).code).toBe(
      'ERR_STORE_UNAVAILABLE',
    );
    expect(kmsFailure(new TypeError('x is undefined'), 'Encrypt', key).code).toBe('ERR_INTERNAL');
    expect(kmsFailure('a string', 'Encrypt', key).code).toBe('ERR_INTERNAL');
  });
});
