import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { Pkcs11Keyring, type Pkcs11KeyringOptions } from '../src/keyrings/pkcs11.js';
import { createSoftHsm, SOFTHSM_LIBRARY, type SoftHsm } from './helpers/softhsm.js';

const TOKEN = 'cl-rotation';
const PIN = 'rotation-pin-1';
const context = { table: 'orders', column: 'card', tenant: 'acme' };

let hsm: SoftHsm;
const options = (extra: Partial<Pkcs11KeyringOptions> = {}): Pkcs11KeyringOptions => ({
  library: SOFTHSM_LIBRARY,
  tokenLabel: TOKEN,
  pin: PIN,
  keyLabel: 'rotating-kek',
  ...extra,
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof CipherlayerError ? error.code : 'not a CipherlayerError'),
  );
}

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken(TOKEN, PIN);
});
afterAll(() => hsm.cleanup());

describe('Pkcs11Keyring KEK rotation', () => {
  it('generates a new version in the token; old wraps unwrap until re-wrapped under the new kekId', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      const dataKeys = Array.from({ length: 10 }, () => randomBytes(32));
      const before = await Promise.all(dataKeys.map((key) => keyring.wrap(key, context)));
      expect(new Set(before.map((w) => w.kekId))).toEqual(new Set(['rotating-kek/v1']));

      expect(await keyring.rotate()).toBe('rotating-kek/v2');
      expect(await keyring.currentKekId()).toBe('rotating-kek/v2');
      expect((await keyring.wrap(randomBytes(32), context)).kekId).toBe('rotating-kek/v2');

      // Not yet re-wrapped: v1 still unwraps.
      for (const [i, wrapped] of before.entries()) {
        expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKeys[i]);
      }
      const after = await Promise.all(before.map((wrapped) => keyring.rewrap(wrapped, context)));
      for (const [i, wrapped] of after.entries()) {
        expect(wrapped.kekId).toBe('rotating-kek/v2');
        expect(wrapped.keyringId).toBe(keyring.id);
        expect(Buffer.from(wrapped.ciphertext)).not.toEqual(Buffer.from(before[i]!.ciphertext));
        expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKeys[i]);
      }
    } finally {
      await keyring.close();
    }
  });

  it('binds the kekId: v1 bytes relabelled as v2 do not open, and rewrap checks the context', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      const current = await keyring.currentKekId();
      const old = await keyring.wrap(randomBytes(32), context);
      const next = await keyring.rotate();
      expect(next).not.toBe(current);
      expect(await codeOf(keyring.unwrap({ ...old, kekId: next }, context))).toBe('ERR_DECRYPT');
      expect(await codeOf(keyring.rewrap(old, { ...context, tenant: 'other' }))).toBe('ERR_DECRYPT');
      expect(await codeOf(keyring.rewrap({ ...old, kekId: 'rotating-kek/v99' }, context))).toBe(
        'ERR_UNKNOWN_KEY',
      );
    } finally {
      await keyring.close();
    }
  });

  it('sees a rotation made by another process: unknown versions are searched for, current is refreshed', async () => {
    const rotator = await Pkcs11Keyring.open(options());
    const reader = await Pkcs11Keyring.open(options({ refreshMs: 60_000 }));
    const eager = await Pkcs11Keyring.open(options({ refreshMs: 0 }));
    try {
      const before = await reader.currentKekId();
      const next = await rotator.rotate();
      const dataKey = randomBytes(32);
      const wrapped = await rotator.wrap(dataKey, context);
      expect(wrapped.kekId).toBe(next);
      // The reader has not refreshed yet, but finds the new version when asked to unwrap under it.
      expect(await reader.currentKekId()).toBe(before);
      expect(Buffer.from(await reader.unwrap(wrapped, context))).toEqual(dataKey);
      expect(await reader.currentKekId()).toBe(next);
      expect(await eager.currentKekId()).toBe(next);
    } finally {
      await Promise.all([rotator.close(), reader.close(), eager.close()]);
    }
  });

  it('serialises rotations started together in one process', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      const start = Number((await keyring.currentKekId()).split('/v')[1]);
      const ids = await Promise.all([keyring.rotate(), keyring.rotate(), keyring.rotate()]);
      expect(ids).toEqual([1, 2, 3].map((n) => `rotating-kek/v${start + n}`));
      // Every version ever made still unwraps what it wrapped; the keyring reopens cleanly with all of them.
    } finally {
      await keyring.close();
    }
    const reopened = await Pkcs11Keyring.open(options({ createKey: false }));
    await reopened.close();
  });
});
