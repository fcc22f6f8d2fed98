import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { VaultTransitKeyring } from '../src/keyrings/vault.js';
import { VaultTransitSimulator } from './helpers/vault-simulator.js';

const TOKEN = 'hvs.rotation-token';
const context = { table: 'accounts', column: 'iban', tenant: 'acme' };

let vault: VaultTransitSimulator;
beforeAll(async () => {
  vault = await VaultTransitSimulator.start({ token: TOKEN });
});
afterAll(() => vault.close());

/** The operator's action, over HTTP as `vault write -f transit/keys/<name>/rotate` would do it. */
function operatorRotates(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${vault.address}/v1/transit/keys/${name}/rotate`, {
      method: 'POST',
      headers: { 'X-Vault-Token': TOKEN },
    });
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof CipherlayerError ? error.code : 'not a CipherlayerError'),
  );
}

describe('VaultTransitKeyring key versions and rewrap (a simulated Vault)', () => {
  it('after rotation, old versions unwrap until re-wrapped with transit/rewrap, inside Vault', async () => {
    vault.createKey('rotating', { derived: true });
    const keyring = new VaultTransitKeyring({
      address: vault.address,
      token: TOKEN,
      keyName: 'rotating',
      kekIdCacheMs: 0,
    });
    try {
      const dataKeys = [randomBytes(32), randomBytes(32)];
      const before = await Promise.all(dataKeys.map((key) => keyring.wrap(key, context)));
      expect(before.map((w) => w.kekId)).toEqual(['transit/rotating:v1', 'transit/rotating:v1']);

      expect(await operatorRotates('rotating')).toBe(204);
      expect(await keyring.currentKekId()).toBe('transit/rotating:v2');
      for (const [i, wrapped] of before.entries()) {
        expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKeys[i]);
      }

      const start = vault.requests.length;
      const after = await Promise.all(before.map((wrapped) => keyring.rewrap(wrapped, context)));
      const posts = vault.requests.slice(start).filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.path)).toEqual(['transit/rewrap/rotating', 'transit/rewrap/rotating']);
      for (const call of posts) expect(typeof call.body.context).toBe('string');
      for (const [i, wrapped] of after.entries()) {
        expect(wrapped.kekId).toBe('transit/rotating:v2');
        expect(Buffer.from(wrapped.ciphertext).toString()).toMatch(/^vault:v2:/);
        expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKeys[i]);
      }
      expect(await codeOf(keyring.rewrap(before[0]!, { ...context, tenant: 'evil' }))).toBe('ERR_DECRYPT');

      // Once the operator retires v1, what was not re-wrapped is reported as a missing KEK version.
      vault.setMinDecryptionVersion('rotating', 2);
      const retired = await keyring.unwrap(before[0]!, context).catch((e: unknown) => e as CipherlayerError);
      expect((retired as CipherlayerError).code).toBe('ERR_UNKNOWN_KEY');
      expect((retired as CipherlayerError).message).toContain('transit/rotating:v1');
      expect(Buffer.from(await keyring.unwrap(after[0]!, context))).toEqual(dataKeys[0]);
    } finally {
      await keyring.close();
    }
  });

  it('learns the new version from the next wrap even while its cached kekId is fresh', async () => {
    vault.createKey('cached', { derived: true });
    const keyring = new VaultTransitKeyring({ address: vault.address, token: TOKEN, keyName: 'cached' });
    try {
      expect(await keyring.currentKekId()).toBe('transit/cached:v1');
      vault.rotate('cached');
      expect(await keyring.currentKekId()).toBe('transit/cached:v1');
      expect((await keyring.wrap(randomBytes(32), context)).kekId).toBe('transit/cached:v2');
      expect(await keyring.currentKekId()).toBe('transit/cached:v2');
    } finally {
      await keyring.close();
    }
  });

  it('with associated data, rewrap is decrypt then encrypt (transit/rewrap cannot take associated_data)', async () => {
    vault.createKey('aead', { derived: false });
    const keyring = new VaultTransitKeyring({
      address: vault.address,
      token: TOKEN,
      keyName: 'aead',
      contextBinding: 'associated-data',
      kekIdCacheMs: 0,
    });
    try {
      const dataKey = randomBytes(32);
      const old = await keyring.wrap(dataKey, context);
      vault.rotate('aead');
      const start = vault.requests.length;
      const moved = await keyring.rewrap(old, context);
      const posts = vault.requests.slice(start).filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.path)).toEqual(['transit/decrypt/aead', 'transit/encrypt/aead']);
      expect(moved.kekId).toBe('transit/aead:v2');
      expect(Buffer.from(await keyring.unwrap(moved, context))).toEqual(dataKey);
    } finally {
      await keyring.close();
    }
  });
});
