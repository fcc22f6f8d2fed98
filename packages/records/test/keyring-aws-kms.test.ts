import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { AwsKmsKeyring, type AwsKmsKeyringOptions } from '../src/keyrings/aws-kms.js';
import { KmsSimulator } from './helpers/kms-simulator.js';

const credentials = { accessKeyId: 'AKIDSIMULATED0001', secretAccessKey: 'simulated-secret-key-never-shown' };
const context = { table: 'invoices', column: 'iban', tenant: 'acme' };

let kms: KmsSimulator;
let keyArn: string;
const options = (extra: Partial<AwsKmsKeyringOptions> = {}): AwsKmsKeyringOptions => ({
  keyId: keyArn,
  endpoint: kms.endpoint,
  credentials,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<CipherlayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CipherlayerError);
  const everything = `${inspect(error, { depth: 10 })}${JSON.stringify(error)}`;
  expect(everything).not.toContain(credentials.secretAccessKey);
  return error as CipherlayerError;
}

beforeAll(async () => {
  kms = await KmsSimulator.start();
  keyArn = kms.createKey();
  kms.setAlias('alias/records', keyArn);
});
afterAll(() => kms.close());

describe('AwsKmsKeyring against KmsSimulator (a simulated KMS endpoint)', () => {
  it('wraps with Encrypt and unwraps with Decrypt; kekId is the key ARN', async () => {
    const keyring = new AwsKmsKeyring(options());
    try {
      expect(keyring.id).toBe(`aws-kms:${keyArn}`);
      expect(await keyring.currentKekId()).toBe(keyArn);
      const dataKey = randomBytes(32);
      const wrapped = await keyring.wrap(dataKey, context);
      expect(wrapped).toMatchObject({ keyringId: keyring.id, kekId: keyArn });
      expect(Buffer.from(wrapped.ciphertext).includes(dataKey)).toBe(false);
      const reordered = { tenant: 'acme', table: 'invoices', column: 'iban' };
      expect(Buffer.from(await keyring.unwrap(wrapped, reordered))).toEqual(dataKey);
    } finally {
      await keyring.close();
    }
  });

  it('sends the encryption context on every call, signed, with the KeyId pinned on Decrypt', async () => {
    const keyring = new AwsKmsKeyring(options());
    try {
      const start = kms.calls.length;
      const wrapped = await keyring.wrap(randomBytes(32), context);
      await keyring.unwrap(wrapped, context);
      const [encrypt, decrypt] = kms.calls.slice(start);
      expect(encrypt!.action).toBe('Encrypt');
      expect(encrypt!.request).toMatchObject({ KeyId: keyArn, EncryptionContext: context });
      expect(decrypt!.action).toBe('Decrypt');
      expect(decrypt!.request).toMatchObject({ KeyId: keyArn, EncryptionContext: context });
      for (const call of [encrypt!, decrypt!]) {
        expect(call.authorization).toContain(`Credential=${credentials.accessKeyId}/`);
        expect(call.authorization).not.toContain(credentials.secretAccessKey);
      }
    } finally {
      await keyring.close();
    }
  });

  it('resolves an alias to the key ARN once, then trusts it for kekIdCacheMs', async () => {
    const keyring = new AwsKmsKeyring(options({ keyId: 'alias/records', region: 'us-east-1' }));
    try {
      const start = kms.calls.length;
      expect(keyring.id).toBe('aws-kms:alias/records');
      expect(await keyring.currentKekId()).toBe(keyArn);
      expect(await keyring.currentKekId()).toBe(keyArn);
      expect(kms.actions().slice(start)).toEqual(['DescribeKey']);
      expect((await keyring.wrap(randomBytes(32), context)).kekId).toBe(keyArn);
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_DECRYPT when the context differs or the bytes were changed', async () => {
    const keyring = new AwsKmsKeyring(options());
    try {
      const wrapped = await keyring.wrap(randomBytes(32), context);
      for (const other of [{ ...context, tenant: 'evil' }, { table: 'invoices' }, {}]) {
        expect((await rejection(keyring.unwrap(wrapped, other))).code).toBe('ERR_DECRYPT');
      }
      const tampered = Uint8Array.from(wrapped.ciphertext);
      tampered[tampered.length - 1]! ^= 1;
      expect((await rejection(keyring.unwrap({ ...wrapped, ciphertext: tampered }, context))).code).toBe(
        'ERR_DECRYPT',
      );
      // Another existing key's ARN as kekId: KMS says IncorrectKey, which is the same generic failure.
      const otherKey = kms.createKey();
      expect((await rejection(keyring.unwrap({ ...wrapped, kekId: otherKey }, context))).code).toBe(
        'ERR_DECRYPT',
      );
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_UNKNOWN_KEY for kekIds that are not KMS key ARNs or name a missing or disabled key', async () => {
    const keyring = new AwsKmsKeyring(options());
    try {
      const wrapped = await keyring.wrap(randomBytes(32), context);
      const start = kms.calls.length;
      for (const kekId of ['local:main#1', 'alias/records', 'records-kek/v1']) {
        const error = await rejection(keyring.unwrap({ ...wrapped, kekId }, context));
        expect(error.code).toBe('ERR_UNKNOWN_KEY');
        expect(error.message).toContain(kekId);
      }
      expect(kms.calls.length).toBe(start);
      const missing = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';
      expect((await rejection(keyring.unwrap({ ...wrapped, kekId: missing }, context))).code).toBe(
        'ERR_UNKNOWN_KEY',
      );

      const doomed = kms.createKey();
      const doomedKeyring = new AwsKmsKeyring(options({ keyId: doomed }));
      const underDoomed = await doomedKeyring.wrap(randomBytes(32), context);
      kms.disableKey(doomed);
      expect((await rejection(doomedKeyring.unwrap(underDoomed, context))).code).toBe('ERR_UNKNOWN_KEY');
      const wrapError = await rejection(doomedKeyring.wrap(randomBytes(32), context));
      expect(wrapError.code).toBe('ERR_CONFIG');
      expect(wrapError.message).toContain('is disabled or pending deletion');
      await doomedKeyring.close();
    } finally {
      await keyring.close();
    }
  });

  it('reports refused credentials or permissions as ERR_CONFIG naming the action, never the secret', async () => {
    const keyring = new AwsKmsKeyring(options({ maxAttempts: 1 }));
    try {
      kms.failNext('AccessDeniedException', 400);
      const denied = await rejection(keyring.wrap(randomBytes(32), context));
      expect(denied.code).toBe('ERR_CONFIG');
      expect(denied.message).toContain(`AWS KMS refused Encrypt on ${keyArn} (AccessDeniedException)`);
      kms.failNext('UnrecognizedClientException', 400);
      const wrapped = await keyring.wrap(randomBytes(32), context).catch(() => undefined);
      expect(wrapped).toBeUndefined();
      const missingKey = new AwsKmsKeyring(options({ keyId: 'alias/nothing-here', region: 'us-east-1' }));
      const notFound = await rejection(missingKey.wrap(randomBytes(32), context));
      expect(notFound.code).toBe('ERR_CONFIG');
      expect(notFound.message).toContain('KMS key alias/nothing-here was not found; check keyId and region');
      await missingKey.close();
    } finally {
      await keyring.close();
    }
  });

  it('refuses data keys that are not 32 bytes', async () => {
    const keyring = new AwsKmsKeyring(options());
    for (const size of [0, 16, 33]) {
      expect((await rejection(keyring.wrap(new Uint8Array(size), context))).code).toBe('ERR_INVALID_KEY');
    }
    await keyring.close();
  });

  it('checks its options at construction, with messages that say what to change', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ keyId: '' }, 'is not a KMS key id, key ARN, alias name'],
      [{ keyId: 'my-key' }, 'is not a KMS key id'],
      [{ keyId: 'alias/x', region: undefined }, 'set region (or AWS_REGION)'],
      [{ region: 'eu-west-1' }, 'keyId is in region us-east-1 but region is eu-west-1'],
      [{ endpoint: 'http://kms.example.com' }, 'endpoint must use https://'],
      [{ endpoint: 'not a url' }, 'endpoint must be an absolute URL'],
      [{ credentials: { accessKeyId: 'AKID' } }, 'credentials needs accessKeyId and secretAccessKey'],
      [{ timeoutMs: 0 }, 'timeoutMs must be a number of milliseconds'],
      [{ maxAttempts: 0 }, 'maxAttempts must be an integer from 1 to 10'],
      [{ kekIdCacheMs: -5 }, 'kekIdCacheMs must be'],
      [{ grantTokens: [] }, 'unknown option "grantTokens"'],
    ];
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      for (const [extra, expected] of cases) {
        let error: unknown;
        try {
          new AwsKmsKeyring({ ...options(), ...extra } as AwsKmsKeyringOptions);
        } catch (e) {
          error = e;
        }
        expect(error, expected).toBeInstanceOf(CipherlayerError);
        expect((error as CipherlayerError).code).toBe('ERR_CONFIG');
        expect((error as CipherlayerError).message).toContain(expected);
      }
      // Region from the environment is accepted for aliases and bare ids.
      process.env.AWS_REGION = 'eu-central-1';
      expect(new AwsKmsKeyring({ keyId: 'alias/records' }).id).toBe('aws-kms:alias/records');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
