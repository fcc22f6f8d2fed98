import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { AwsKmsKeyring, type AwsKmsKeyringOptions } from '../src/keyrings/aws-kms.js';
import { KmsSimulator } from './helpers/kms-simulator.js';

const credentials = { accessKeyId: 'AKIDSIMULATED0003', secretAccessKey: 'simulated-secret-3' };
const context = { table: 't' };

let kms: KmsSimulator;
let keyArn: string;
beforeAll(async () => {
  kms = await KmsSimulator.start();
  keyArn = kms.createKey();
});
afterAll(() => kms.close());

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function timed(promise: Promise<unknown>): Promise<{ code: string | undefined; ms: number }> {
  const start = performance.now();
  const code = await promise.then(
    () => undefined,
    (e: unknown) => (e instanceof CipherlayerError ? e.code : `not a CipherlayerError: ${String(e)}`),
  );
  return { code, ms: performance.now() - start };
}

const options = (extra: Partial<AwsKmsKeyringOptions>): AwsKmsKeyringOptions => ({
  keyId: keyArn,
  endpoint: kms.endpoint,
  credentials,
  ...extra,
});

describe('AwsKmsKeyring when KMS cannot be reached (a simulated KMS endpoint)', () => {
  it('fails fast with ERR_STORE_UNAVAILABLE when nothing listens', async () => {
    const port = await closedPort();
    const keyring = new AwsKmsKeyring(options({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 }));
    const wrap = await timed(keyring.wrap(randomBytes(32), context));
    expect(wrap.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(wrap.ms).toBeLessThan(2_000);
    const wrapped = { keyringId: keyring.id, kekId: keyArn, ciphertext: randomBytes(80) };
    expect((await timed(keyring.unwrap(wrapped, context))).code).toBe('ERR_STORE_UNAVAILABLE');
    await keyring.close();
  });

  it('gives up on a black hole after timeoutMs with ERR_STORE_UNAVAILABLE', async () => {
    const keyring = new AwsKmsKeyring(options({ timeoutMs: 300, maxAttempts: 1 }));
    kms.hang = true;
    try {
      const wrap = await timed(keyring.wrap(randomBytes(32), context));
      expect(wrap.code).toBe('ERR_STORE_UNAVAILABLE');
      expect(wrap.ms).toBeLessThan(1_500);
    } finally {
      kms.hang = false;
      await keyring.close();
    }
  });

  it('maps KMS-side outages to ERR_STORE_UNAVAILABLE, and retries them within maxAttempts', async () => {
    const once = new AwsKmsKeyring(options({ maxAttempts: 1 }));
    for (const [type, status] of [
      ['KMSInternalException', 500],
      ['KeyUnavailableException', 500],
      ['DependencyTimeoutException', 503],
      ['ThrottlingException', 400],
    ] as const) {
      kms.failNext(type, status);
      expect((await timed(once.wrap(randomBytes(32), context))).code, type).toBe('ERR_STORE_UNAVAILABLE');
    }
    await once.close();
    const retrying = new AwsKmsKeyring(options({ maxAttempts: 3 }));
    kms.failNext('KMSInternalException', 500);
    const wrapped = await retrying.wrap(randomBytes(32), context);
    expect(wrapped.kekId).toBe(keyArn);
    await retrying.close();
  });

  it('fails with ERR_STORE_UNAVAILABLE after close', async () => {
    const keyring = new AwsKmsKeyring(options({}));
    await keyring.wrap(randomBytes(32), context);
    await keyring.close();
    expect((await timed(keyring.wrap(randomBytes(32), context))).code).toBe('ERR_STORE_UNAVAILABLE');
  });
});
