import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { VaultTransitKeyring, type VaultTransitKeyringOptions } from '../src/keyrings/vault.js';
import { VaultTransitSimulator } from './helpers/vault-simulator.js';

const TOKEN = 'hvs.simulated-token-do-not-log';
const context = { table: 'accounts', column: 'tax_id', tenant: 'acme' };

let vault: VaultTransitSimulator;
const options = (extra: Partial<VaultTransitKeyringOptions> = {}): VaultTransitKeyringOptions => ({
  address: vault.address,
  token: TOKEN,
  keyName: 'records',
  ...extra,
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof CipherlayerError ? error.code : `not a CipherlayerError: ${String(error)}`,
  );
}

async function rejection(promise: Promise<unknown>): Promise<CipherlayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CipherlayerError);
  return error as CipherlayerError;
}

beforeAll(async () => {
  vault = await VaultTransitSimulator.start({ token: TOKEN });
  vault.createKey('records', { derived: true });
  vault.createKey('plain-aead', { derived: false });
  vault.createKey('other', { derived: true });
});
afterAll(() => vault.close());

describe('VaultTransitKeyring against VaultTransitSimulator (a simulated Vault)', () => {
  it('wraps with transit/encrypt and unwraps with transit/decrypt; the kekId carries the version', async () => {
    const keyring = new VaultTransitKeyring(options());
    try {
      expect(keyring.id).toBe('vault:transit/records');
      expect(await keyring.currentKekId()).toBe('transit/records:v1');
      const dataKey = randomBytes(32);
      const wrapped = await keyring.wrap(dataKey, context);
      expect(wrapped.keyringId).toBe('vault:transit/records');
      expect(wrapped.kekId).toBe('transit/records:v1');
      expect(Buffer.from(wrapped.ciphertext).toString()).toMatch(/^vault:v1:/);
      const reordered = { tenant: 'acme', column: 'tax_id', table: 'accounts' };
      expect(Buffer.from(await keyring.unwrap(wrapped, reordered))).toEqual(dataKey);
    } finally {
      await keyring.close();
    }
  });

  it('sends the context as derivation context with every call, and the token only as a header', async () => {
    const keyring = new VaultTransitKeyring(options());
    try {
      const start = vault.requests.length;
      const wrapped = await keyring.wrap(randomBytes(32), context);
      await keyring.unwrap(wrapped, context);
      const calls = vault.requests.slice(start).filter((r) => r.method === 'POST');
      expect(calls.map((c) => c.path)).toEqual(['transit/encrypt/records', 'transit/decrypt/records']);
      for (const call of calls) {
        expect(typeof call.body.context).toBe('string');
        expect(call.body).not.toHaveProperty('associated_data');
        const bytes = Buffer.from(String(call.body.context), 'base64');
        // lp("cipherlayer/vault/v1") ‖ count ‖ sorted lp(key) ‖ lp(value)
        expect(bytes.subarray(2, 22).toString()).toBe('cipherlayer/vault/v1');
        expect(bytes.readUInt16BE(22)).toBe(3);
        expect(bytes.toString('latin1')).toMatch(/column.*tax_id.*table.*accounts.*tenant.*acme/s);
        expect(JSON.stringify(call.body)).not.toContain(TOKEN);
      }
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_DECRYPT for another context, tampered bytes, or a version that disagrees with the kekId', async () => {
    const keyring = new VaultTransitKeyring(options());
    try {
      const wrapped = await keyring.wrap(randomBytes(32), context);
      for (const other of [{ ...context, tenant: 'evil' }, { table: 'accounts' }, {}]) {
        expect(await codeOf(keyring.unwrap(wrapped, other))).toBe('ERR_DECRYPT');
      }
      const text = Buffer.from(wrapped.ciphertext).toString();
      const flipped = `${text.slice(0, -6)}${text.slice(-6, -5) === 'A' ? 'B' : 'A'}${text.slice(-5)}`;
      for (const ciphertext of [flipped, 'vault:v1:AAAA', 'not-vault', `${text}!`]) {
        const tampered = { ...wrapped, ciphertext: new Uint8Array(Buffer.from(ciphertext)) };
        expect(await codeOf(keyring.unwrap(tampered, context)), ciphertext).toBe('ERR_DECRYPT');
      }
      expect(await codeOf(keyring.unwrap({ ...wrapped, kekId: 'transit/records:v2' }, context))).toBe(
        'ERR_DECRYPT',
      );
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_UNKNOWN_KEY, naming the kekId, for a key this keyring does not hold', async () => {
    const keyring = new VaultTransitKeyring(options());
    const other = new VaultTransitKeyring(options({ keyName: 'other' }));
    try {
      const wrapped = await other.wrap(randomBytes(32), context);
      const start = vault.requests.length;
      for (const kekId of [wrapped.kekId, 'transit2/records:v1', 'records-kek/v1', 'arn:aws:kms:x']) {
        const error = await rejection(keyring.unwrap({ ...wrapped, kekId }, context));
        expect(error.code).toBe('ERR_UNKNOWN_KEY');
        expect(error.message).toContain(kekId);
      }
      expect(vault.requests.length).toBe(start);
    } finally {
      await Promise.all([keyring.close(), other.close()]);
    }
  });

  it('refuses a key that would silently ignore the context', async () => {
    // Vault ignores `context` for a key that is not derived: without this check nothing would be bound.
    const notDerived = new VaultTransitKeyring(options({ keyName: 'plain-aead' }));
    const error = await rejection(notDerived.wrap(randomBytes(32), context));
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toContain('is not derived, so Vault would ignore the context');
    await notDerived.close();
    const derivedAsAead = new VaultTransitKeyring(options({ contextBinding: 'associated-data' }));
    expect((await rejection(derivedAsAead.currentKekId())).message).toContain(
      'is derived; set contextBinding: "derived"',
    );
    await derivedAsAead.close();
    const missing = new VaultTransitKeyring(options({ keyName: 'nothing-here' }));
    const notFound = await rejection(missing.wrap(randomBytes(32), context));
    expect(notFound.code).toBe('ERR_CONFIG');
    expect(notFound.message).toContain('no transit key at transit/keys/nothing-here');
    await missing.close();
  });

  it('with contextBinding "associated-data", binds the context as AEAD associated data', async () => {
    const keyring = new VaultTransitKeyring(
      options({ keyName: 'plain-aead', contextBinding: 'associated-data' }),
    );
    try {
      const dataKey = randomBytes(32);
      const start = vault.requests.length;
      const wrapped = await keyring.wrap(dataKey, context);
      expect(Buffer.from(await keyring.unwrap(wrapped, context))).toEqual(dataKey);
      const posts = vault.requests.slice(start).filter((r) => r.method === 'POST');
      for (const call of posts) {
        expect(typeof call.body.associated_data).toBe('string');
        expect(call.body).not.toHaveProperty('context');
      }
      expect(await codeOf(keyring.unwrap(wrapped, { ...context, tenant: 'evil' }))).toBe('ERR_DECRYPT');
    } finally {
      await keyring.close();
    }
  });

  it('refuses to run on a Vault that ignores associated_data', async () => {
    const oldVault = await VaultTransitSimulator.start({ token: TOKEN, associatedData: false });
    oldVault.createKey('records', { derived: false });
    const keyring = new VaultTransitKeyring({
      address: oldVault.address,
      token: TOKEN,
      keyName: 'records',
      contextBinding: 'associated-data',
    });
    try {
      const error = await rejection(keyring.wrap(randomBytes(32), context));
      expect(error.code).toBe('ERR_CONFIG');
      expect(error.message).toContain('this Vault ignored the context parameter on encrypt');
    } finally {
      await keyring.close();
      await oldVault.close();
    }
  });

  it('sends X-Vault-Namespace, and includes the namespace in its id', async () => {
    const namespaced = await VaultTransitSimulator.start({ token: TOKEN, namespace: 'team-a' });
    namespaced.createKey('records');
    const keyring = new VaultTransitKeyring({
      address: namespaced.address,
      token: TOKEN,
      namespace: 'team-a',
      keyName: 'records',
    });
    const outside = new VaultTransitKeyring({
      address: namespaced.address,
      token: TOKEN,
      keyName: 'records',
    });
    try {
      expect(keyring.id).toBe('vault:team-a/transit/records');
      const wrapped = await keyring.wrap(randomBytes(32), context);
      expect(await keyring.unwrap(wrapped, context)).toHaveLength(32);
      expect(namespaced.requests.every((r) => r.namespace === 'team-a')).toBe(true);
      expect(await codeOf(outside.unwrap(wrapped, context))).toBe('ERR_CONFIG');
    } finally {
      await Promise.all([keyring.close(), outside.close()]);
      await namespaced.close();
    }
  });

  it('reads address, token and namespace from VAULT_ADDR, VAULT_TOKEN and VAULT_NAMESPACE', async () => {
    const saved = { VAULT_ADDR: process.env.VAULT_ADDR, VAULT_TOKEN: process.env.VAULT_TOKEN };
    process.env.VAULT_ADDR = vault.address;
    process.env.VAULT_TOKEN = TOKEN;
    try {
      const keyring = new VaultTransitKeyring({ keyName: 'records' });
      expect(await keyring.currentKekId()).toMatch(/^transit\/records:v\d+$/);
      await keyring.close();
      delete process.env.VAULT_TOKEN;
      const error = (() => {
        try {
          return new VaultTransitKeyring({ keyName: 'records' });
        } catch (e) {
          return e;
        }
      })();
      expect((error as CipherlayerError).message).toContain('set the token option or VAULT_TOKEN');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('checks its options at construction, with messages that say what to change', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ address: 'http://vault.example.com:8200' }, 'address must use https://'],
      [{ address: 'vault:8200' }, 'address must use https://'],
      [{ address: 'https://user:pw@vault.example.com' }, 'must not carry credentials'],
      [{ token: 'has space' }, 'no usable token'],
      [{ token: 'line\nbreak' }, 'no usable token'],
      [{ keyName: '' }, 'set keyName'],
      [{ keyName: 'a/b' }, 'set keyName'],
      [{ mount: 'bad mount' }, 'mount must be'],
      [{ contextBinding: 'none' }, 'contextBinding must be "derived" or "associated-data"'],
      [{ tls: { ca: 'x' } }, 'tls options need an https:// address'],
      [{ address: 'https://vault.example.com', tls: { cert: 'c' } }, 'tls.cert and tls.key go together'],
      [
        { address: 'https://vault.example.com', tls: { rejectUnauthorized: false } },
        'unknown tls option "rejectUnauthorized"',
      ],
      [{ timeoutMs: 0 }, 'timeoutMs must be'],
      [{ kekIdCacheMs: Number.NaN }, 'kekIdCacheMs must be'],
      [{ namespace: 'bad ns' }, 'namespace must be'],
      [{ role: 'x' }, 'unknown option "role"'],
    ];
    for (const [extra, expected] of cases) {
      let error: unknown;
      try {
        new VaultTransitKeyring({ ...options(), ...extra } as VaultTransitKeyringOptions);
      } catch (e) {
        error = e;
      }
      expect(error, expected).toBeInstanceOf(CipherlayerError);
      expect((error as CipherlayerError).code).toBe('ERR_CONFIG');
      expect((error as CipherlayerError).message).toContain(expected);
      expect((error as CipherlayerError).message).not.toContain(TOKEN);
    }
  });

  it('refuses data keys that are not 32 bytes', async () => {
    const keyring = new VaultTransitKeyring(options());
    for (const size of [0, 31, 48]) {
      expect(await codeOf(keyring.wrap(new Uint8Array(size), context))).toBe('ERR_INVALID_KEY');
    }
    await keyring.close();
  });
});
