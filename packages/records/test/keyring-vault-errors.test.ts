import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CipherlayerError } from '../../core/src/lib/errors.js';
import { VaultTransitKeyring, type VaultTransitKeyringOptions } from '../src/keyrings/vault.js';
import { createTestPki, type TestPki, VaultTransitSimulator } from './helpers/vault-simulator.js';

const TOKEN = 'hvs.errors-token-secret';
const context = { table: 't', column: 'c' };

let vault: VaultTransitSimulator;
let pki: TestPki;
beforeAll(async () => {
  vault = await VaultTransitSimulator.start({ token: TOKEN });
  vault.createKey('records');
  pki = createTestPki();
});
afterAll(() => vault.close());

const options = (extra: Partial<VaultTransitKeyringOptions> = {}): VaultTransitKeyringOptions => ({
  address: vault.address,
  token: TOKEN,
  keyName: 'records',
  ...extra,
});

async function outcome(promise: Promise<unknown>): Promise<{ error: CipherlayerError; ms: number }> {
  const start = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CipherlayerError);
  const everything = `${inspect(error, { depth: 10, showHidden: true })}${JSON.stringify(error)}`;
  expect(everything).not.toContain(TOKEN);
  return { error: error as CipherlayerError, ms: performance.now() - start };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('VaultTransitKeyring failures (a simulated Vault)', () => {
  it('reports 403 permission denied as ERR_CONFIG naming the path, never the token', async () => {
    const keyring = new VaultTransitKeyring(options());
    const wrapped = await keyring.wrap(randomBytes(32), context);
    vault.deny('decrypt');
    try {
      const { error } = await outcome(keyring.unwrap(wrapped, context));
      expect(error.code).toBe('ERR_CONFIG');
      expect(error.message).toContain(
        'Vault denied decrypt on transit/decrypt/records (403 permission denied)',
      );
      expect(inspect(keyring, { showHidden: true, depth: 10 })).not.toContain(TOKEN);
    } finally {
      await keyring.close();
    }
    const wrongToken = new VaultTransitKeyring(options({ token: 'hvs.not-the-token' }));
    const { error } = await outcome(wrongToken.currentKekId());
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).not.toContain('hvs.not-the-token');
    await wrongToken.close();
  });

  it('fails fast with ERR_STORE_UNAVAILABLE when nothing listens', async () => {
    const keyring = new VaultTransitKeyring(options({ address: `http://127.0.0.1:${await closedPort()}` }));
    const { error, ms } = await outcome(keyring.wrap(randomBytes(32), context));
    expect(error.code).toBe('ERR_STORE_UNAVAILABLE');
    expect(ms).toBeLessThan(1_000);
    await keyring.close();
  });

  it('gives up on a Vault that does not answer after timeoutMs', async () => {
    const keyring = new VaultTransitKeyring(options({ timeoutMs: 250 }));
    vault.hang = true;
    try {
      const { error, ms } = await outcome(keyring.currentKekId());
      expect(error.code).toBe('ERR_STORE_UNAVAILABLE');
      expect(ms).toBeGreaterThanOrEqual(200);
      expect(ms).toBeLessThan(1_500);
    } finally {
      vault.hang = false;
      await keyring.close();
    }
  });

  it('maps a sealed or rate-limiting Vault to ERR_STORE_UNAVAILABLE', async () => {
    const keyring = new VaultTransitKeyring(options());
    try {
      for (const [status, text] of [
        [503, 'Vault is sealed'],
        [429, 'request path "transit/encrypt/records": rate limit quota exceeded'],
        [500, 'internal error'],
      ] as const) {
        vault.failNext(status, text);
        expect((await outcome(keyring.currentKekId())).error.code, String(status)).toBe(
          'ERR_STORE_UNAVAILABLE',
        );
      }
    } finally {
      await keyring.close();
    }
  });

  it('fails with ERR_STORE_UNAVAILABLE after close', async () => {
    const keyring = new VaultTransitKeyring(options());
    await keyring.close();
    expect((await outcome(keyring.currentKekId())).error.code).toBe('ERR_STORE_UNAVAILABLE');
  });

  it("verifies Vault's certificate against tls.ca, and presents a client certificate for mutual TLS", async () => {
    const secure = await VaultTransitSimulator.start({
      token: TOKEN,
      tls: { key: pki.serverKey, cert: pki.serverCert, clientCa: pki.ca },
    });
    secure.createKey('records');
    const base = { address: secure.address, token: TOKEN, keyName: 'records' };
    try {
      const keyring = new VaultTransitKeyring({
        ...base,
        tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
      });
      const wrapped = await keyring.wrap(randomBytes(32), context);
      expect(await keyring.unwrap(wrapped, context)).toHaveLength(32);
      await keyring.close();

      const untrusted = new VaultTransitKeyring(base);
      const { error } = await outcome(untrusted.currentKekId());
      expect(error.code).toBe('ERR_CONFIG');
      expect(error.message).toContain('TLS verification of');
      expect(error.message).toContain('set tls.ca');
      await untrusted.close();

      const noClientCertificate = new VaultTransitKeyring({ ...base, tls: { ca: pki.ca } });
      const refused = await outcome(noClientCertificate.currentKekId());
      expect(refused.error.code).toBe('ERR_CONFIG');
      expect(refused.error.message).toContain('refused the TLS client certificate');
      await noClientCertificate.close();
    } finally {
      await secure.close();
    }
  });
});
