// Angular's packages are partially compiled: the JIT compiler must load before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BundledKey, isCipherlayerError, StaticKeyCrypto } from '../src/index.js';
import { expectNoLeak } from './helpers/no-leak.js';
import { SeedCryptoService } from './helpers/seed002-browser.js';
import { decryptOnServer, encrypt, sealRawOnServer } from './helpers/seed002-server.js';

/** StaticKeyCrypto alone (no Angular): the seed's byte layout, both ways, against the seed's own server code. */
const key = randomBytes(32);
const hexKey = key.toString('hex');
const service = () => new StaticKeyCrypto(new BundledKey(key));

const values: [string, unknown][] = [
  ['the seed example', { cardLast4: '4242', expiryMonth: 12, expiryYear: 2027 }],
  [
    'nested arrays',
    {
      accounts: [
        { iban: 'DE89 3704', balance: -12.5 },
        { iban: null, tags: [] },
      ],
    },
  ],
  ['non-ASCII text', { name: 'Zoë Œuvre — 北京 🙂' }],
  ['a bare string', 'just text'],
  ['a number', 42],
  ['null', null],
  ['an empty object', {}],
  ['100 KiB', { blob: 'x'.repeat(100 * 1024) }],
];

describe('decrypt: ciphertexts from the seed server encrypt()', () => {
  it.each(values)('%s', async (_name, value) => {
    expect(await service().decrypt(encrypt(value, key))).toEqual(value);
  });
});

describe('encrypt: the seed layout, opened by the server side', () => {
  it.each(values)('%s', async (_name, value) => {
    expect(decryptOnServer(await service().encrypt(value), key)).toEqual(value);
  });

  it.each(values)("%s: opens with the seed's own browser CryptoService too", async (_name, value) => {
    expect(await new SeedCryptoService(hexKey).decrypt(await service().encrypt(value))).toEqual(value);
  });

  it('is base64(iv(12) ‖ tag(16) ‖ ciphertext) with a fresh IV each time', async () => {
    const crypto = service();
    const value = { amount: 125.5 };
    const [a, b] = [await crypto.encrypt(value), await crypto.encrypt(value)];
    const bytes = Buffer.from(a, 'base64');
    expect(bytes.length).toBe(12 + 16 + Buffer.byteLength(JSON.stringify(value)));
    expect(Buffer.from(b, 'base64').subarray(0, 12)).not.toEqual(bytes.subarray(0, 12));
    expect(a).not.toBe(b);
  });

  it('refuses values without a JSON form, without quoting them', async () => {
    const circular: Record<string, unknown> = { secretField: 'SECRET-VALUE' };
    circular.self = circular;
    for (const value of [undefined, () => 1, Symbol('s'), 10n, circular]) {
      const error = await service()
        .encrypt(value)
        .catch((e: unknown) => e);
      expect(isCipherlayerError(error, 'ERR_CONFIG')).toBe(true);
      expectNoLeak(error, ['SECRET-VALUE', 'secretField', hexKey]);
    }
  });
});

describe('every decryption failure is one generic ERR_DECRYPT', () => {
  const secret = { cardNumber: 'PAN-4111111111111111' };
  const sealed = encrypt(secret, key);
  const flip = (payload: string, index: number) => {
    const bytes = Buffer.from(payload, 'base64');
    bytes[index] = (bytes[index] as number) ^ 0x01;
    return bytes.toString('base64');
  };
  const cases: [string, string][] = [
    ['a bit flipped in the IV', flip(sealed, 3)],
    ['a bit flipped in the tag', flip(sealed, 20)],
    ['a bit flipped in the ciphertext', flip(sealed, 40)],
    ['truncated', Buffer.from(sealed, 'base64').subarray(0, 40).toString('base64')],
    ['shorter than iv and tag', Buffer.alloc(27).toString('base64')],
    ['empty', ''],
    ['not base64', 'not base64!'],
    ['unpadded base64', sealed.replace(/=+$/, '')],
    ['another key', encrypt(secret, randomBytes(32))],
    ['authentic but not JSON', sealRawOnServer(Buffer.from('PAN-4111111111111111 not json'), key)],
    ['authentic but not UTF-8', sealRawOnServer(Buffer.from([0x22, 0xff, 0xfe, 0x22]), key)],
  ];

  it.each(cases)('%s', async (_name, payload) => {
    const error = await service()
      .decrypt(payload)
      .catch((e: unknown) => e);
    expect(isCipherlayerError(error, 'ERR_DECRYPT')).toBe(true);
    expect((error as Error).message).toBe('decryption operation failed');
    expectNoLeak(error, ['PAN-4111111111111111', hexKey, key.toString('base64')]);
  });

  it('a payload that is not a string', async () => {
    const error = await service()
      .decrypt(42 as unknown as string)
      .catch((e: unknown) => e);
    expect(isCipherlayerError(error, 'ERR_DECRYPT')).toBe(true);
  });
});

describe('BundledKey', () => {
  it('imports the seed hex key once, AES-GCM, non-extractable', async () => {
    const source = new BundledKey(key);
    const [a, b] = [await source.key(), await source.key()];
    expect(a).toBe(b);
    expect(a.extractable).toBe(false);
    expect(a.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    expect([...a.usages].sort()).toEqual(['decrypt', 'encrypt']);
  });

  it.each([
    ['a Uint8Array', () => new Uint8Array(key)],
    ['a Node Buffer (whose slice is a view)', () => Buffer.from(key)],
  ])('does not keep or alter the caller’s bytes: %s', async (_name, make) => {
    const bytes = make();
    await new BundledKey(bytes).key();
    expect(Buffer.from(bytes)).toEqual(key);
  });

  it.each([
    ['63 hex digits', hexKey.slice(1)],
    ['not hex', `zz${hexKey.slice(2)}`],
    ['16 bytes', randomBytes(16).toString('hex')],
    ['31 raw bytes', new Uint8Array(31)],
  ])('refuses %s with ERR_CONFIG that never echoes the key', (_name, bad) => {
    let error: unknown;
    try {
      new BundledKey(bad as Uint8Array);
    } catch (e) {
      error = e;
    }
    expect(isCipherlayerError(error, 'ERR_CONFIG')).toBe(true);
    expectNoLeak(error, [hexKey.slice(1, 40)]);
  });
});
