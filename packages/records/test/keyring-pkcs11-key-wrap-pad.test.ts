import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { Pkcs11Keyring, type Pkcs11KeyringOptions } from '../src/keyrings/pkcs11.js';
import { createSoftHsm, SOFTHSM_LIBRARY, type SoftHsm, withRawToken } from './helpers/softhsm.js';

const TOKEN = 'cl-kwp';
const PIN = 'kwp-pin-2468';
const context = { table: 'users', column: 'email', tenant: 'acme' };

let hsm: SoftHsm;
const options = (extra: Partial<Pkcs11KeyringOptions> = {}): Pkcs11KeyringOptions => ({
  library: SOFTHSM_LIBRARY,
  tokenLabel: TOKEN,
  pin: PIN,
  keyLabel: 'kwp-kek',
  mechanism: 'aes-key-wrap-pad',
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

describe('Pkcs11Keyring with CKM_AES_KEY_WRAP_PAD (tokens without GCM)', () => {
  it('wraps inside the token, with the context digest inside the wrap', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      expect(keyring.mechanism).toBe('aes-key-wrap-pad');
      const dataKey = randomBytes(32);
      const wrapped = await keyring.wrap(dataKey, context);
      expect(wrapped.ciphertext[0]).toBe(0x02);
      expect(wrapped.ciphertext).toHaveLength(1 + 64 + 8);
      expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKey);
      expect(await codeOf(keyring.unwrap(wrapped, { ...context, tenant: 'evil' }))).toBe('ERR_DECRYPT');
      expect(await codeOf(keyring.unwrap(wrapped, {}))).toBe('ERR_DECRYPT');
      for (const index of [1, 20, 40, 72]) {
        const tampered = Uint8Array.from(wrapped.ciphertext);
        tampered[index]! ^= 0x80;
        expect(await codeOf(keyring.unwrap({ ...wrapped, ciphertext: tampered }, context))).toBe(
          'ERR_DECRYPT',
        );
      }
    } finally {
      await keyring.close();
    }
    withRawToken(TOKEN, PIN, ({ pkcs11, session, findKeys }) => {
      const [kek] = findKeys('kwp-kek');
      const [encrypt, wrap] = pkcs11.C_GetAttributeValue(session, kek!, [
        { type: pkcs11js.CKA_ENCRYPT },
        { type: pkcs11js.CKA_WRAP },
      ]);
      // Least privilege: a key-wrap KEK cannot be used to encrypt arbitrary data.
      expect([encrypt!.value[0], wrap!.value[0]]).toEqual([0, 1]);
    });
  });

  it('moves key-wrapped data keys to a GCM KEK version by rotating and re-wrapping', async () => {
    const kwp = await Pkcs11Keyring.open(options());
    const dataKey = randomBytes(32);
    const old = await kwp.wrap(dataKey, context);
    await kwp.close();

    const gcm = await Pkcs11Keyring.open(options({ mechanism: 'aes-gcm' }));
    try {
      // The current version is a wrap-only key: GCM wraps are refused with a hint, not garbage.
      const refused = (await gcm.wrap(randomBytes(32), context).then(
        () => undefined,
        (e: unknown) => e,
      )) as CipherlayerError;
      expect(refused.code).toBe('ERR_CONFIG');
      expect(refused.message).toContain('kwp-kek/v1');
      expect(Buffer.from(await gcm.unwrap(old, context))).toEqual(dataKey);
      const next = await gcm.rotate();
      const moved = await gcm.rewrap(old, context);
      expect(moved.kekId).toBe(next);
      expect(moved.ciphertext[0]).toBe(0x01);
      expect(Buffer.from(await gcm.unwrap(moved, context))).toEqual(dataKey);
    } finally {
      await gcm.close();
    }
  });
});
