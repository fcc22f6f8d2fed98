import { describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { ckrName, openFailure, sealFailure } from '../src/keyrings/pkcs11/errors.js';

/** pkcs11js reports a Cryptoki failure as an Error whose message is the CKR name. */
const ckr = (name: string) => Object.assign(new Error(name), { name: 'Pkcs11Error' });

describe('Pkcs11Keyring error mapping', () => {
  it('reads the CKR name and nothing else', () => {
    expect(ckrName(ckr('CKR_PIN_INCORRECT'))).toBe('CKR_PIN_INCORRECT');
    expect(ckrName(new Error('CKR_PIN_INCORRECT: extra'))).toBeUndefined();
    expect(ckrName('CKR_PIN_INCORRECT')).toBeUndefined();
  });

  it.each([
    ['CKR_DEVICE_REMOVED', 'ERR_STORE_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE'],
    ['CKR_SESSION_HANDLE_INVALID', 'ERR_STORE_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE'],
    ['CKR_USER_NOT_LOGGED_IN', 'ERR_STORE_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE'],
    ['CKR_KEY_HANDLE_INVALID', 'ERR_UNKNOWN_KEY', 'ERR_UNKNOWN_KEY'],
    ['CKR_KEY_FUNCTION_NOT_PERMITTED', 'ERR_CONFIG', 'ERR_CONFIG'],
    ['CKR_MECHANISM_INVALID', 'ERR_CONFIG', 'ERR_CONFIG'],
    ['CKR_GENERAL_ERROR', 'ERR_INTERNAL', 'ERR_DECRYPT'],
    ['CKR_ENCRYPTED_DATA_INVALID', 'ERR_INTERNAL', 'ERR_DECRYPT'],
    ['CKR_WRAPPED_KEY_INVALID', 'ERR_INTERNAL', 'ERR_DECRYPT'],
  ])('%s → %s when wrapping, %s when unwrapping', (name, onSeal, onOpen) => {
    const sealed = sealFailure(ckr(name), 'kek/v1');
    const opened = openFailure(ckr(name), 'kek/v1');
    expect([sealed.code, opened.code]).toEqual([onSeal, onOpen]);
    expect((sealed.cause as Error).message).toBe(name);
    if (onSeal === 'ERR_CONFIG') expect(sealed.message).toContain('KEK kek/v1');
  });

  it('passes CipherlayerErrors through and treats unknown throwables as internal or decrypt failures', () => {
    const own = new CipherlayerError('ERR_DECRYPT');
    expect(sealFailure(own, 'k/v1')).toBe(own);
    expect(openFailure(own, 'k/v1')).toBe(own);
    expect(sealFailure(new TypeError('bad'), 'k/v1').code).toBe('ERR_INTERNAL');
    expect(openFailure(new TypeError('bad'), 'k/v1').code).toBe('ERR_DECRYPT');
  });
});
