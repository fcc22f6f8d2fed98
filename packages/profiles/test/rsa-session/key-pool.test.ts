import { createPrivateKey, createPublicKey } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { RsaKeyPool } from '../../src/rsa-session.js';

/** RSA key generation never runs on the event loop: a pool filled by a worker thread, bounded waits when empty. */
const pools: RsaKeyPool[] = [];
function pool(options: ConstructorParameters<typeof RsaKeyPool>[0]): RsaKeyPool {
  const made = new RsaKeyPool(options);
  pools.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('RsaKeyPool', () => {
  it('makes key pairs exactly as the seed: RSA-2048, SPKI and PKCS#8 PEM, each used once', async () => {
    const keys = pool({ size: 3 });
    await keys.filled();
    expect(keys.available).toBe(3);
    const a = await keys.take();
    const b = await keys.take();
    expect(a.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(a.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(a.privateKey).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPublicKey(a.publicKey).export({ format: 'jwk' })).toEqual(
      createPublicKey(a.privateKey).export({ format: 'jwk' }),
    );
    expect(a.privateKey).not.toBe(b.privateKey);
  });

  it('fills off the event loop: the main thread stays idle while keys are made', async () => {
    const keys = pool({ size: 8, prefill: false });
    const before = performance.eventLoopUtilization();
    await keys.filled();
    const { active, idle } = performance.eventLoopUtilization(before);
    expect(keys.available).toBe(8);
    // Eight RSA-2048 keys are about a second of CPU. Made on the main thread, the loop would be busy
    // (active) nearly all that while; made in the worker, it sits idle waiting for their messages.
    expect(active).toBeLessThan((active + idle) / 4);
  });

  it('empty: a taker waits for the next key, within waitMs; beyond maxWaiters or waitMs it is 503', async () => {
    const keys = pool({ size: 1, prefill: false, waitMs: 5000, maxWaiters: 1 });
    const waiting = keys.take();
    expect(waiting).toBeInstanceOf(Promise);
    expect(() => keys.take()).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE', status: 503 }),
    );
    expect((await waiting).publicKey).toMatch(/PUBLIC KEY/);
    const never = pool({ size: 1, prefill: false, waitMs: 0 });
    expect(() => never.take()).toThrow(expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }));
    const slow = pool({ size: 1, prefill: false, waitMs: 1 });
    await expect(slow.take()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
  });

  it('refills when it runs low, and close() refuses waiting takers', async () => {
    const keys = pool({ size: 2, lowWater: 1 });
    await keys.filled();
    await keys.take();
    await keys.take();
    await keys.filled();
    expect(keys.available).toBe(2);
    const closing = pool({ size: 1, prefill: false, waitMs: 10_000 });
    const refused = expect(closing.take()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    await closing.close();
    await refused;
  });

  it('checks its options', () => {
    expect(() => new RsaKeyPool({ size: 0 })).toThrow(/size must be/);
    expect(() => new RsaKeyPool({ modulusLength: 1024 })).toThrow(/modulusLength/);
    expect(() => new RsaKeyPool({ sise: 3 } as never)).toThrow(/unknown option "sise"/);
  });
});
