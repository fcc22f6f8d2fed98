import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { Pkcs11Keyring, type Pkcs11KeyringOptions } from '../src/keyrings/pkcs11.js';
import { createSoftHsm, SOFTHSM_LIBRARY, type SoftHsm, withRawToken } from './helpers/softhsm.js';

const TOKEN = 'cl-keyring';
const PIN = 'user-pin-4821';
const context = { table: 'patients', column: 'ssn', tenant: 't-1' };

let hsm: SoftHsm;
const options = (extra: Partial<Pkcs11KeyringOptions> = {}): Pkcs11KeyringOptions => ({
  library: SOFTHSM_LIBRARY,
  tokenLabel: TOKEN,
  pin: PIN,
  keyLabel: 'records-kek',
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<CipherlayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CipherlayerError);
  return error as CipherlayerError;
}

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken(TOKEN, PIN);
});
afterAll(() => hsm.cleanup());

describe('Pkcs11Keyring against SoftHSM2', () => {
  it('creates the KEK in the token on first open and names it', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      expect(keyring.id).toBe('pkcs11:cl-keyring/records-kek');
      expect(keyring.mechanism).toBe('aes-gcm');
      expect(await keyring.currentKekId()).toBe('records-kek/v1');
    } finally {
      await keyring.close();
    }
  });

  it('wraps and unwraps data keys, bound to their context', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      for (let i = 0; i < 5; i += 1) {
        const dataKey = randomBytes(32);
        const wrapped = await keyring.wrap(dataKey, context);
        expect(wrapped.keyringId).toBe(keyring.id);
        expect(wrapped.kekId).toBe('records-kek/v1');
        expect(wrapped.ciphertext).toHaveLength(61);
        expect(Buffer.from(wrapped.ciphertext).includes(dataKey)).toBe(false);
        const reordered = { tenant: 't-1', column: 'ssn', table: 'patients' };
        expect(Buffer.from(await keyring.unwrap(wrapped, reordered))).toEqual(dataKey);
      }
      const empty = await keyring.wrap(randomBytes(32), {});
      expect(await keyring.unwrap(empty, {})).toHaveLength(32);
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_DECRYPT for another context or tampered bytes', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      const wrapped = await keyring.wrap(randomBytes(32), context);
      const contexts = [
        { ...context, tenant: 't-2' },
        { table: 'patients', column: 'ssn' },
        { ...context, row: '7' },
        {},
      ];
      for (const other of contexts) {
        expect((await rejection(keyring.unwrap(wrapped, other))).code).toBe('ERR_DECRYPT');
      }
      for (const index of [0, 1, 12, 13, 44, 45, 60]) {
        const tampered = Uint8Array.from(wrapped.ciphertext);
        tampered[index]! ^= 0x01;
        const error = await rejection(keyring.unwrap({ ...wrapped, ciphertext: tampered }, context));
        expect(error.code).toBe('ERR_DECRYPT');
        expect(error.message).toBe('decryption operation failed');
      }
      for (const ciphertext of [wrapped.ciphertext.subarray(0, 60), new Uint8Array(0)]) {
        expect((await rejection(keyring.unwrap({ ...wrapped, ciphertext }, context))).code).toBe(
          'ERR_DECRYPT',
        );
      }
      // The session that saw the failures is still usable.
      expect(await keyring.unwrap(wrapped, context)).toHaveLength(32);
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_UNKNOWN_KEY, naming the kekId, for a KEK it does not hold', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      const wrapped = await keyring.wrap(randomBytes(32), context);
      for (const kekId of ['records-kek/v9', 'other-kek/v1', 'records-kek/v01', 'records-kek', '']) {
        const error = await rejection(keyring.unwrap({ ...wrapped, kekId }, context));
        expect(error.code).toBe('ERR_UNKNOWN_KEY');
        if (kekId !== '') expect(error.message).toContain(kekId);
      }
    } finally {
      await keyring.close();
    }
  });

  it('refuses data keys that are not 32 bytes', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    try {
      for (const size of [0, 16, 31, 33, 64]) {
        expect((await rejection(keyring.wrap(new Uint8Array(size), context))).code).toBe('ERR_INVALID_KEY');
      }
    } finally {
      await keyring.close();
    }
  });

  it('finds the same KEK when opened again, so earlier wraps still unwrap', async () => {
    const first = await Pkcs11Keyring.open(options());
    const dataKey = randomBytes(32);
    const wrapped = await first.wrap(dataKey, context);
    await first.close();
    const second = await Pkcs11Keyring.open(options({ createKey: false }));
    try {
      expect(await second.currentKekId()).toBe('records-kek/v1');
      expect(Buffer.from(await second.unwrap(wrapped, context))).toEqual(dataKey);
    } finally {
      await second.close();
    }
  });

  it('keeps the KEK in the token: sensitive, not extractable, not readable, not wrappable', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    await keyring.close();
    withRawToken(TOKEN, PIN, ({ pkcs11, session, findKeys }) => {
      const [kek] = findKeys('records-kek');
      expect(kek).toBeDefined();
      const attributes = pkcs11.C_GetAttributeValue(session, kek!, [
        { type: pkcs11js.CKA_TOKEN },
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
        { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        { type: pkcs11js.CKA_WRAP },
      ]);
      expect(attributes.map((a) => a.value[0])).toEqual([1, 1, 0, 1, 1, 0]);
      expect(() => pkcs11.C_GetAttributeValue(session, kek!, [{ type: pkcs11js.CKA_VALUE }])).toThrow(
        'CKR_ATTRIBUTE_SENSITIVE',
      );
      const wrappingKey = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_WRAP, value: true },
      ]);
      expect(() =>
        pkcs11.C_WrapKey(
          session,
          { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD },
          wrappingKey,
          kek!,
          Buffer.alloc(64),
        ),
      ).toThrow('CKR_KEY_UNEXTRACTABLE');
      expect(() =>
        pkcs11.C_SetAttributeValue(session, kek!, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }]),
      ).toThrow(/CKR_/);
    });
  });

  it('refuses to use an extractable key planted under its label', async () => {
    withRawToken(TOKEN, PIN, ({ pkcs11, session }) => {
      pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: 'planted' },
        { type: pkcs11js.CKA_ID, value: Buffer.from('v1') },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
      ]);
    });
    const error = await rejection(Pkcs11Keyring.open(options({ keyLabel: 'planted' })));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('planted/v1 must have CKA_SENSITIVE true and CKA_EXTRACTABLE false');
  });

  it('takes the PIN from the environment when the option is absent', async () => {
    const { pin: _pin, ...withoutPin } = options();
    process.env.CIPHERLAYER_PKCS11_PIN = PIN;
    try {
      const keyring = await Pkcs11Keyring.open(withoutPin);
      await keyring.close();
      process.env.MY_HSM_PIN = PIN;
      const named = await Pkcs11Keyring.open({ ...withoutPin, pinEnv: 'MY_HSM_PIN' });
      await named.close();
    } finally {
      delete process.env.CIPHERLAYER_PKCS11_PIN;
      delete process.env.MY_HSM_PIN;
    }
    const error = await rejection(Pkcs11Keyring.open(withoutPin));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('set the pin option or the CIPHERLAYER_PKCS11_PIN environment variable');
  });

  it('reports a wrong PIN as ERR_CONFIG without the PIN anywhere in the error', async () => {
    const wrongPin = 'wrong-pin-7391';
    const error = await rejection(Pkcs11Keyring.open(options({ pin: wrongPin })));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('login to token "cl-keyring" failed (CKR_PIN_INCORRECT)');
    const everything = `${inspect(error, { depth: 10, showHidden: true })}${JSON.stringify(error)}${error.stack}`;
    expect(everything).not.toContain(wrongPin);
    expect(everything).not.toContain(PIN);
  });

  it('says which token labels exist when the token is not found, and when the library is wrong', async () => {
    const missing = await rejection(Pkcs11Keyring.open(options({ tokenLabel: 'nope' })));
    expect(missing.code).toBe('ERR_CONFIG');
    expect(missing.message).toContain('no token labelled "nope"');
    expect(missing.message).toContain('"cl-keyring"');
    const library = await rejection(Pkcs11Keyring.open(options({ library: '/nonexistent/libpkcs11.so' })));
    expect(library.code).toBe('ERR_CONFIG');
    expect(library.message).toContain('could not load the PKCS#11 library at /nonexistent/libpkcs11.so');
  });

  it('fails with ERR_CONFIG when the KEK is missing and createKey is false', async () => {
    const error = await rejection(Pkcs11Keyring.open(options({ keyLabel: 'absent', createKey: false })));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('no key labelled "absent"');
  });

  it('checks its options once, with messages that say what to change', async () => {
    const cases: [Partial<Pkcs11KeyringOptions> & Record<string, unknown>, string][] = [
      [{ library: '' }, 'set library'],
      [{ tokenLabel: 'x'.repeat(33) }, 'set tokenLabel'],
      [{ keyLabel: '' }, 'set keyLabel'],
      [{ sessions: 0 }, 'sessions must be an integer from 1 to 256'],
      [{ sessions: 1.5 }, 'sessions must be an integer'],
      [{ mechanism: 'des' as never }, 'mechanism must be'],
      [{ refreshMs: -1 }, 'refreshMs must be'],
      [{ createKey: 'yes' as never }, 'createKey must be'],
      [{ slot: 0 }, 'unknown option "slot"'],
    ];
    for (const [extra, expected] of cases) {
      const error = await rejection(Pkcs11Keyring.open(options(extra)));
      expect(error.code).toBe('ERR_CONFIG');
      expect(error.message).toContain(expected);
      expect(error.message).not.toContain(PIN);
    }
  });

  it('shares one login between keyrings on the same token and refuses a second, different PIN', async () => {
    const a = await Pkcs11Keyring.open(options());
    const b = await Pkcs11Keyring.open(options({ keyLabel: 'second-kek' }));
    const wrongPin = 'another-pin-0000';
    const error = await rejection(Pkcs11Keyring.open(options({ pin: wrongPin })));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).not.toContain(wrongPin);
    await a.close();
    // b keeps its login and its library after a closes.
    const wrapped = await b.wrap(randomBytes(32), context);
    expect(await b.unwrap(wrapped, context)).toHaveLength(32);
    await b.close();
  });

  it('refuses work after close, and close is idempotent', async () => {
    const keyring = await Pkcs11Keyring.open(options());
    const wrapped = await keyring.wrap(randomBytes(32), context);
    await Promise.all([keyring.close(), keyring.close()]);
    expect((await rejection(keyring.wrap(randomBytes(32), context))).code).toBe('ERR_STORE_UNAVAILABLE');
    expect((await rejection(keyring.unwrap(wrapped, context))).code).toBe('ERR_STORE_UNAVAILABLE');
    expect((await rejection(keyring.currentKekId())).code).toBe('ERR_STORE_UNAVAILABLE');
  });
});
