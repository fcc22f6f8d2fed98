import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { Pkcs11Keyring } from '../src/keyrings/pkcs11.js';
import { createSoftHsm, SOFTHSM_LIBRARY, type SoftHsm } from './helpers/softhsm.js';

const TOKEN = 'cl-concurrency';
const PIN = 'concurrency-pin';

let hsm: SoftHsm;
const open = () =>
  Pkcs11Keyring.open({
    library: SOFTHSM_LIBRARY,
    tokenLabel: TOKEN,
    pin: PIN,
    keyLabel: 'pool-kek',
    sessions: 4,
  });

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken(TOKEN, PIN);
});
afterAll(() => hsm.cleanup());

describe('Pkcs11Keyring session pool', () => {
  it('runs 200 concurrent wraps and 200 concurrent unwraps on 4 sessions, all correct', async () => {
    const keyring = await open();
    try {
      let observedMax = 0;
      let observedWaiting = 0;
      let sampling = true;
      const sample = () => {
        const stats = keyring.sessionStats();
        observedMax = Math.max(observedMax, stats.inUse);
        observedWaiting = Math.max(observedWaiting, stats.waiting);
        if (sampling) setImmediate(sample);
      };
      sample();
      const dataKeys = Array.from({ length: 200 }, () => randomBytes(32));
      const contexts = dataKeys.map((_, i) => ({ row: String(i), table: 't' }));
      const wrapped = await Promise.all(dataKeys.map((key, i) => keyring.wrap(key, contexts[i]!)));
      const unwrapped = await Promise.all(wrapped.map((w, i) => keyring.unwrap(w, contexts[i]!)));
      // Mixed: wraps and unwraps interleaved on the same pool.
      const mixed = await Promise.all(
        dataKeys.map((key, i) =>
          i % 2 === 0 ? keyring.wrap(key, contexts[i]!) : keyring.unwrap(wrapped[i]!, contexts[i]!),
        ),
      );
      sampling = false;
      for (const [i, key] of dataKeys.entries()) {
        expect(Buffer.from(unwrapped[i]!)).toEqual(key);
        if (i % 2 === 1) expect(Buffer.from(mixed[i] as Uint8Array)).toEqual(key);
      }
      const stats = keyring.sessionStats();
      expect(stats.size).toBe(4);
      expect(stats.peakInUse).toBeLessThanOrEqual(4);
      expect(stats.peakInUse).toBeGreaterThanOrEqual(2);
      expect(observedMax).toBeLessThanOrEqual(4);
      expect(observedWaiting).toBeGreaterThan(0);
      expect(stats.inUse).toBe(0);
      expect(stats.waiting).toBe(0);
      // Each row's context is its own: a neighbour's wrapped key does not open under it.
      const crossed = await keyring.unwrap(wrapped[0]!, contexts[1]!).catch((e: unknown) => e);
      expect(crossed).toBeInstanceOf(CipherlayerError);
      expect((crossed as CipherlayerError).code).toBe('ERR_DECRYPT');
    } finally {
      await keyring.close();
    }
  });

  it('on close, lets running operations finish and fails queued ones with ERR_STORE_UNAVAILABLE', async () => {
    const keyring = await open();
    const pending = Array.from({ length: 40 }, () =>
      keyring.wrap(randomBytes(32), { table: 't' }).then(
        () => 'done',
        (error: unknown) => (error instanceof CipherlayerError ? error.code : 'other'),
      ),
    );
    // Let the first operations reach the pool before closing.
    await new Promise((resolve) => setImmediate(resolve));
    await keyring.close();
    const outcomes = await Promise.all(pending);
    expect(outcomes.every((o) => o === 'done' || o === 'ERR_STORE_UNAVAILABLE')).toBe(true);
    expect(outcomes).toContain('ERR_STORE_UNAVAILABLE');
  });
});
