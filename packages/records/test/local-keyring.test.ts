import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CipherlayerError } from '@cipherlayer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalKeyring } from '../src/index.js';

/**
 * The local keyring: master keys from memory, a file or an environment
 * variable (current first, older ones kept for rotation); wrapping
 * authenticates the KEK id and the encryption context; errors follow the
 * keyring contract (ERR_UNKNOWN_KEY, ERR_DECRYPT) and name KEKs, never bytes.
 */

const dataKey = new Uint8Array(randomBytes(32));
const context = {
  purpose: 'cipherlayer data key',
  key_id: '0011223344556677',
  scope: 'tenant=acme',
  tenant: 'acme',
};

afterEach(() => {
  delete process.env.CL_TEST_LOCAL_KEYS;
});

async function code(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'accepted',
    (e: unknown) => (e instanceof CipherlayerError ? e.code : String(e)),
  );
}

describe('LocalKeyring', () => {
  it('wraps under the first KEK and unwraps with the same context only', async () => {
    const keyring = new LocalKeyring({ keys: [{ id: 'k1', key: new Uint8Array(randomBytes(32)) }] });
    const wrapped = await keyring.wrap(dataKey, context);
    expect(wrapped.keyringId).toBe('local:main');
    expect(wrapped.kekId).toBe('k1');
    expect(wrapped.ciphertext).toHaveLength(60);
    expect(Buffer.from(wrapped.ciphertext).includes(Buffer.from(dataKey))).toBe(false);
    expect(await keyring.unwrap(wrapped, context)).toEqual(dataKey);
    expect(await code(keyring.unwrap(wrapped, { ...context, tenant: 'globex' }))).toBe('ERR_DECRYPT');
    expect(await code(keyring.unwrap(wrapped, { ...context, extra: '' }))).toBe('ERR_DECRYPT');
    const tampered = new Uint8Array(wrapped.ciphertext);
    tampered[20] = (tampered[20] as number) ^ 1;
    expect(await code(keyring.unwrap({ ...wrapped, ciphertext: tampered }, context))).toBe('ERR_DECRYPT');
    expect(await code(keyring.unwrap({ ...wrapped, ciphertext: tampered.subarray(1) }, context))).toBe(
      'ERR_DECRYPT',
    );
    // The KEK id is authenticated too: a wrapping relabelled as another KEK's does not open.
    const two = new LocalKeyring({
      keys: [
        { id: 'k1', key: new Uint8Array(randomBytes(32)) },
        { id: 'k2', key: new Uint8Array(randomBytes(32)) },
      ],
    });
    const w2 = await two.wrap(dataKey, context);
    expect(await code(two.unwrap({ ...w2, kekId: 'k2' }, context))).toBe('ERR_DECRYPT');
  });

  it('names the missing KEK or the other keyring (ERR_UNKNOWN_KEY)', async () => {
    const keyring = new LocalKeyring({
      name: 'app',
      keys: [{ id: 'k1', key: new Uint8Array(randomBytes(32)) }],
    });
    const wrapped = await keyring.wrap(dataKey, context);
    const error = await keyring.unwrap({ ...wrapped, kekId: 'k0' }, context).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ERR_UNKNOWN_KEY',
      message: 'unknown key id: KEK k0 is not in keyring local:app',
    });
    const other = await keyring
      .unwrap({ ...wrapped, keyringId: 'aws-kms:x' }, context)
      .catch((e: unknown) => e);
    expect(other).toMatchObject({ code: 'ERR_UNKNOWN_KEY' });
    expect((other as Error).message).toContain('aws-kms:x');
  });

  it('keeps old KEKs to unwrap and rewraps under the current one', async () => {
    const k1 = { id: 'k1', key: new Uint8Array(randomBytes(32)) };
    const k2 = { id: 'k2', key: new Uint8Array(randomBytes(32)) };
    const before = new LocalKeyring({ keys: [k1] });
    const wrapped = await before.wrap(dataKey, context);
    const after = new LocalKeyring({ keys: [k2, k1] });
    expect(await after.currentKekId()).toBe('k2');
    expect(await after.unwrap(wrapped, context)).toEqual(dataKey);
    const rewrapped = await after.rewrap(wrapped, context);
    expect(rewrapped.kekId).toBe('k2');
    expect(await new LocalKeyring({ keys: [k2] }).unwrap(rewrapped, context)).toEqual(dataKey);
  });

  it('reads keys from an environment variable and from a file, in the same text format', async () => {
    const k2 = LocalKeyring.generateKeyEntry('2025-01');
    const k1 = LocalKeyring.generateKeyEntry('2024-01');
    process.env.CL_TEST_LOCAL_KEYS = `${k2},${k1}`;
    const fromEnv = LocalKeyring.fromEnvironment('CL_TEST_LOCAL_KEYS');
    expect(await fromEnv.currentKekId()).toBe('2025-01');
    const dir = mkdtempSync(join(tmpdir(), 'cl-keys-'));
    const file = join(dir, 'master.keys');
    writeFileSync(file, `# current first\n${k2}\n\n${k1}\n`, { mode: 0o600 });
    const fromFile = LocalKeyring.fromFile(file);
    const wrapped = await fromEnv.wrap(dataKey, context);
    expect(await fromFile.unwrap(wrapped, context)).toEqual(dataKey);
  });

  it('checks its options once, with messages that say what to change', () => {
    const key = new Uint8Array(randomBytes(32));
    const cases: [unknown, RegExp][] = [
      [undefined, /needs options/],
      [{}, /exactly one of keys, file or env/],
      [{ keys: [{ id: 'k1', key }], env: 'X' }, /exactly one of keys, file or env/],
      [{ keys: [] }, /at least one/],
      [{ keys: [{ id: 'k1', key: key.subarray(1) }] }, /must be 32 bytes/],
      [{ keys: [{ id: 'k1', key: new Uint8Array(32) }] }, /all zeros/],
      [{ keys: [{ id: 'bad id', key }] }, /KEK id must be/],
      [
        {
          keys: [
            { id: 'k1', key },
            { id: 'k1', key },
          ],
        },
        /appears twice/,
      ],
      [{ keys: [{ id: 'k1', key }], name: 'a b' }, /name/],
      [{ keys: [{ id: 'k1', key }], allowInProduktion: true }, /unknown option "allowInProduktion"/],
      [{ env: 'CL_TEST_LOCAL_KEYS' }, /CL_TEST_LOCAL_KEYS is not set/],
      [{ file: '/nonexistent/keys' }, /cannot be read/],
    ];
    for (const [options, message] of cases) {
      expect(() => new LocalKeyring(options as never), String(message)).toThrow(message);
    }
    process.env.CL_TEST_LOCAL_KEYS = 'k1:not-base64';
    expect(() => LocalKeyring.fromEnvironment('CL_TEST_LOCAL_KEYS')).toThrow(
      /entry 1 is not "id:base64url of 32 bytes"/,
    );
    process.env.CL_TEST_LOCAL_KEYS = ' , ';
    expect(() => LocalKeyring.fromEnvironment('CL_TEST_LOCAL_KEYS')).toThrow(/holds no key/);
    expect(() => LocalKeyring.generateKeyEntry('no spaces')).toThrow(/KEK id/);
  });

  it('refuses to wrap something that is not a 32-byte key', async () => {
    const keyring = new LocalKeyring({ keys: [{ id: 'k1', key: new Uint8Array(randomBytes(32)) }] });
    expect(await code(keyring.wrap(new Uint8Array(16), context))).toBe('ERR_INVALID_KEY');
  });
});
