import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { AwsKmsKeyring } from '../src/keyrings/aws-kms.js';
import { KmsSimulator } from './helpers/kms-simulator.js';

const credentials = { accessKeyId: 'AKIDSIMULATED0002', secretAccessKey: 'simulated-secret-2' };
const context = { table: 'invoices', column: 'iban', tenant: 'acme' };

let kms: KmsSimulator;
beforeAll(async () => {
  kms = await KmsSimulator.start();
});
afterAll(() => kms.close());

describe('AwsKmsKeyring rewrap uses ReEncrypt (a simulated KMS endpoint)', () => {
  it('moves wrapped keys to a new KMS key inside KMS: the data key never comes back', async () => {
    const oldKey = kms.createKey();
    const newKey = kms.createKey();
    kms.setAlias('alias/current', oldKey);
    const keyring = new AwsKmsKeyring({
      keyId: 'alias/current',
      region: kms.region,
      endpoint: kms.endpoint,
      credentials,
      kekIdCacheMs: 0,
    });
    try {
      const dataKeys = [randomBytes(32), randomBytes(32), randomBytes(32)];
      const before = await Promise.all(dataKeys.map((key) => keyring.wrap(key, context)));
      expect(before.every((w) => w.kekId === oldKey)).toBe(true);

      // The operator's rotation: the alias now names a new key.
      kms.setAlias('alias/current', newKey);
      expect(await keyring.currentKekId()).toBe(newKey);

      const start = kms.calls.length;
      const after = await Promise.all(before.map((wrapped) => keyring.rewrap(wrapped, context)));
      const rewrapCalls = kms.calls.slice(start);
      expect(rewrapCalls.map((c) => c.action)).toEqual(['ReEncrypt', 'ReEncrypt', 'ReEncrypt']);
      for (const call of rewrapCalls) {
        expect(call.status).toBe(200);
        expect(call.response).not.toHaveProperty('Plaintext');
        expect(call.request).toMatchObject({
          SourceKeyId: oldKey,
          DestinationKeyId: 'alias/current',
          SourceEncryptionContext: context,
          DestinationEncryptionContext: context,
        });
        for (const key of dataKeys) {
          expect(JSON.stringify(call.response)).not.toContain(key.toString('base64'));
        }
      }
      for (const [i, wrapped] of after.entries()) {
        expect(wrapped.kekId).toBe(newKey);
        expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKeys[i]);
      }
      // Old wraps still open while the old key lives.
      expect(Buffer.from(await keyring.unwrap(before[0]!, context))).toEqual(dataKeys[0]);
    } finally {
      await keyring.close();
    }
  });

  it('refuses to rewrap under a different context or a foreign kekId', async () => {
    const key = kms.createKey();
    const keyring = new AwsKmsKeyring({ keyId: key, endpoint: kms.endpoint, credentials });
    try {
      const wrapped = await keyring.wrap(randomBytes(32), context);
      const wrongContext = await keyring
        .rewrap(wrapped, { ...context, tenant: 'evil' })
        .catch((e: unknown) => e);
      expect(wrongContext).toBeInstanceOf(CipherlayerError);
      expect((wrongContext as CipherlayerError).code).toBe('ERR_DECRYPT');
      const foreign = await keyring
        .rewrap({ ...wrapped, kekId: 'vault:transit/x:v1' }, context)
        .catch((e: unknown) => e);
      expect((foreign as CipherlayerError).code).toBe('ERR_UNKNOWN_KEY');
    } finally {
      await keyring.close();
    }
  });
});
