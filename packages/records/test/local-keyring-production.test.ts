import { randomBytes } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalKeyring } from '../src/index.js';

/**
 * The local keyring keeps its master key beside the application, which is
 * what envelope encryption exists to avoid (seed 003, mistake 1): with
 * NODE_ENV=production it refuses to start unless the application opts in.
 */

const keys = [{ id: 'k1', key: new Uint8Array(randomBytes(32)) }];
const previous = process.env.NODE_ENV;

afterEach(() => {
  process.env.NODE_ENV = previous;
  delete process.env.CL_TEST_PROD_KEYS;
});

describe('LocalKeyring in production', () => {
  it('refuses to start, saying what to use instead and how to opt in', () => {
    process.env.NODE_ENV = 'production';
    let error: unknown;
    try {
      new LocalKeyring({ keys });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CipherlayerError);
    expect((error as CipherlayerError).code).toBe('ERR_CONFIG');
    expect((error as Error).message).toMatch(/refuses to run with NODE_ENV=production/);
    expect((error as Error).message).toMatch(/KMS, HSM or Vault keyring/);
    expect((error as Error).message).toMatch(/allowInProduction: true/);
  });

  it('refuses from every source: environment variable and file too', () => {
    process.env.NODE_ENV = 'production';
    process.env.CL_TEST_PROD_KEYS = LocalKeyring.generateKeyEntry('k1');
    expect(() => LocalKeyring.fromEnvironment('CL_TEST_PROD_KEYS')).toThrow(/NODE_ENV=production/);
    expect(() => LocalKeyring.fromFile('/nonexistent')).toThrow(/NODE_ENV=production/);
  });

  it('starts with the explicit opt-in, and works', async () => {
    process.env.NODE_ENV = 'production';
    const keyring = new LocalKeyring({ keys, allowInProduction: true });
    const wrapped = await keyring.wrap(new Uint8Array(32).fill(9), { purpose: 'test' });
    expect(await keyring.unwrap(wrapped, { purpose: 'test' })).toEqual(new Uint8Array(32).fill(9));
  });

  it('does not take a truthy non-boolean as the opt-in', () => {
    process.env.NODE_ENV = 'production';
    expect(() => new LocalKeyring({ keys, allowInProduction: 'yes' as unknown as boolean })).toThrow(
      /NODE_ENV=production/,
    );
  });

  it('starts in development and test without the opt-in', () => {
    for (const env of ['development', 'test', '']) {
      process.env.NODE_ENV = env;
      expect(new LocalKeyring({ keys }).id).toBe('local:main');
    }
  });
});
