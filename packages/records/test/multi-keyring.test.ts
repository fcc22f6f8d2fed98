import { randomBytes } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { describe, expect, it } from 'vitest';
import type { EncryptionContext, Keyring, WrappedKey } from '../src/index.js';
import { MultiKeyring } from '../src/index.js';
import { testKeyring } from './helpers/records-fixtures.js';

/**
 * The multi-keyring wraps a data key under every keyring it lists and
 * unwraps with whichever of them is available, routed by the keyringId of
 * each wrapping; a keyring listed as decryptOnly unwraps but never wraps.
 */

const dataKey = new Uint8Array(randomBytes(32));
const context = { purpose: 'cipherlayer data key', key_id: 'aa', scope: 'global' };

/** A keyring whose service is down: the contract's ERR_STORE_UNAVAILABLE. */
function unavailable(inner: Keyring): Keyring {
  const down = () => Promise.reject(new CipherlayerError('ERR_STORE_UNAVAILABLE'));
  return { id: inner.id, currentKekId: () => inner.currentKekId(), wrap: down, unwrap: down, rewrap: down };
}

/** Counts calls, to see the routing. */
function counting(inner: Keyring): Keyring & { unwraps: number; closed: boolean } {
  const spy = {
    id: inner.id,
    unwraps: 0,
    closed: false,
    currentKekId: () => inner.currentKekId(),
    wrap: (k: Uint8Array, c: EncryptionContext) => inner.wrap(k, c),
    unwrap: (w: WrappedKey, c: EncryptionContext) => {
      spy.unwraps++;
      return inner.unwrap(w, c);
    },
    rewrap: (w: WrappedKey, c: EncryptionContext) => inner.rewrap(w, c),
    close: async () => {
      spy.closed = true;
    },
  };
  return spy;
}

describe('MultiKeyring', () => {
  it('wraps under each keyring, and unwraps with any one of them', async () => {
    const a = testKeyring(['a1'], 'a');
    const b = testKeyring(['b1'], 'b');
    const multi = new MultiKeyring([a, b]);
    expect(multi.id).toBe('multi(local:a,local:b)');
    expect(await multi.currentKekId()).toBe('local:a=a1;local:b=b1');
    const wrapped = await multi.wrap(dataKey, context);
    expect(wrapped.keyringId).toBe(multi.id);
    expect(wrapped.kekId).toBe('local:a=a1;local:b=b1');
    expect(await multi.unwrap(wrapped, context)).toEqual(dataKey);
    // Either one alone is enough: the other's service can be down.
    expect(await new MultiKeyring([unavailable(a), b]).unwrap(wrapped, context)).toEqual(dataKey);
    expect(await new MultiKeyring([a, unavailable(b)]).unwrap(wrapped, context)).toEqual(dataKey);
    expect(await new MultiKeyring({ keyrings: [b] }).unwrap(wrapped, context)).toEqual(dataKey);
  });

  it('routes by keyringId: only the keyring that made a wrapping is asked', async () => {
    const a = counting(testKeyring(['a1'], 'a'));
    const b = counting(testKeyring(['b1'], 'b'));
    const wrappedByB = await new MultiKeyring([b]).wrap(dataKey, context);
    const multi = new MultiKeyring([a, b]);
    expect(await multi.unwrap(wrappedByB, context)).toEqual(dataKey);
    expect(a.unwraps).toBe(0);
    expect(b.unwraps).toBe(1);
    // A plain wrapping by one of its keyrings is routed too.
    const plain = await b.wrap(dataKey, context);
    expect(await multi.unwrap(plain, context)).toEqual(dataKey);
    await multi.close();
    expect(a.closed && b.closed).toBe(true);
  });

  it('reports the most telling failure when no keyring can unwrap', async () => {
    const a = testKeyring(['a1'], 'a');
    const b = testKeyring(['b1'], 'b');
    const wrapped = await new MultiKeyring([a, b]).wrap(dataKey, context);
    const unknown = await new MultiKeyring([testKeyring(['c1'], 'c')])
      .unwrap(wrapped, context)
      .catch((e) => e);
    expect(unknown).toMatchObject({ code: 'ERR_UNKNOWN_KEY' });
    expect(unknown.message).toContain('local:a, local:b');
    const refused = await new MultiKeyring([a, b])
      .unwrap(wrapped, { ...context, scope: 'other' })
      .catch((e) => e);
    expect(refused).toMatchObject({ code: 'ERR_DECRYPT' });
    const down = await new MultiKeyring([unavailable(a), b])
      .unwrap(wrapped, { ...context, scope: 'x' })
      .catch((e) => e);
    expect(down).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    const garbage = { ...wrapped, ciphertext: new Uint8Array([1, 1, 0]) };
    expect(await new MultiKeyring([a]).unwrap(garbage, context).catch((e) => e.code)).toBe('ERR_DECRYPT');
  });

  it('moves keys to a new keyring: decryptOnly unwraps, rewrap wraps under the new one only', async () => {
    const old = testKeyring(['o1'], 'old');
    const next = testKeyring(['n1'], 'next');
    const wrappedByOld = await old.wrap(dataKey, context);
    const moving = new MultiKeyring({ keyrings: [next], decryptOnly: [old] });
    const moved = await moving.rewrap(wrappedByOld, context);
    expect(moved.kekId).toBe('local:next=n1');
    expect(await new MultiKeyring([next]).unwrap(moved, context)).toEqual(dataKey);
    // A wrapping under both, rewrapped by a multi-keyring of the new one alone, drops the old entry.
    const both = await new MultiKeyring([old, next]).wrap(dataKey, context);
    const trimmed = await new MultiKeyring([next]).rewrap(both, context);
    expect(trimmed.kekId).toBe('local:next=n1');
    await expect(new MultiKeyring([old]).unwrap(trimmed, context)).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_KEY',
    });
  });

  it('checks its options once', () => {
    const a = testKeyring(['a1'], 'a');
    expect(() => new MultiKeyring([])).toThrow(/give 1 to 255 keyrings/);
    expect(() => new MultiKeyring([a, a])).toThrow(/listed twice/);
    expect(() => new MultiKeyring({ keyrings: [a], decryptOnly: [a] })).toThrow(/listed twice/);
    expect(() => new MultiKeyring([{} as Keyring])).toThrow(/every entry must be a Keyring/);
    expect(() => new MultiKeyring({ keyrings: [a], other: 1 } as never)).toThrow(/unknown option "other"/);
    expect(() => new MultiKeyring({ keyrings: [a], decryptOnly: a } as never)).toThrow(
      /decryptOnly must be a list/,
    );
  });
});
