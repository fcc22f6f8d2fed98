import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultTransitKeyring } from '@cipherlayer/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultTransitSimulator } from '../../records/test/helpers/vault-simulator.js';
import { createPeopleDatabase, type PeopleDatabase } from './helpers/pglite-people.js';
import { runInProcess } from './helpers/run-in-process.js';
import {
  profileJwe,
  profileStaticKeyEnvelope,
  rsaSessionKeys,
  seedRsaSessionRequest,
  seedRsaSessionResponse,
} from './helpers/seed-envelopes.js';

/**
 * The seed-envelope decryption and the keyring options through `run` from
 * the sources, in this process: the coverage of that code (the subprocess
 * tests in inspect-seed-keys and records-keyrings are invisible to it).
 */
const PAYLOAD = { to: 'x', amount: 1 };
const TEXT = JSON.stringify(PAYLOAD);
let dir: string;
let n = 0;
const secret = (content: string | Uint8Array) => {
  const path = join(dir, `k${n++}`);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cl-cli-inproc-seeds-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspect --key in process', () => {
  it('opens every seed envelope kind and refuses the wrong ones', async () => {
    const rsa = rsaSessionKeys();
    const request = seedRsaSessionRequest(rsa, PAYLOAD);
    const opened = await runInProcess(['inspect', request, '--key', secret(rsa.privateKey)]);
    expect(opened).toMatchObject({ code: 0, stdout: expect.stringContaining(TEXT) });
    const { response, aesKey } = await seedRsaSessionResponse();
    expect((await runInProcess(['inspect', response, '--aes-key', secret(aesKey), '--json'])).code).toBe(0);
    expect((await runInProcess(['inspect', response, '--aes-key', secret(rsa.privateKey)])).code).toBe(3);
    expect((await runInProcess(['inspect', request, '--aes-key', secret(aesKey)])).code).toBe(2);
    expect(
      (await runInProcess(['inspect', request, '--key', secret(rsaSessionKeys().privateKey)])).code,
    ).toBe(1);

    const hex = randomBytes(32).toString('hex');
    const envelope = await profileStaticKeyEnvelope(hex, PAYLOAD);
    const jwk = JSON.stringify({ kty: 'oct', k: Buffer.from(hex, 'hex').toString('base64url') });
    expect((await runInProcess(['inspect', envelope, '--key', secret(jwk)])).stdout).toContain(TEXT);
    expect((await runInProcess(['inspect', envelope, '--key', secret(randomBytes(32))])).code).toBe(1);
    expect((await runInProcess(['inspect', envelope, '--key', secret('{"kty":"EC"}')])).code).toBe(3);
    expect((await runInProcess(['inspect', envelope, '--key', secret('{"kty":')])).code).toBe(3);
    expect((await runInProcess(['inspect', envelope, '--key', join(dir, 'missing')])).code).toBe(3);
    expect((await runInProcess(['inspect', envelope, '--key', 'a', '--aes-key', 'b'])).code).toBe(2);

    const { key, token } = await profileJwe('X25519', PAYLOAD);
    const jwe = await runInProcess(['inspect', token, '--key', secret(JSON.stringify(key.privateJwk))]);
    expect(jwe.stdout).toMatch(/plaintext \(application\/json, \d+ bytes, X25519, /);
    expect((await runInProcess(['inspect', token, '--key', secret(key.publicKey)])).code).toBe(3);
    const jws = await runInProcess(['inspect', 'eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln', '--key', secret(hex)]);
    expect(jws).toMatchObject({ code: 2, stderr: expect.stringMatching(/signed, not encrypted/) });
  });
});

describe('records keyrings in process', () => {
  const TOKEN = 'hvs.in-process-simulated';
  let vault: VaultTransitSimulator;
  let db: PeopleDatabase;

  beforeAll(async () => {
    vault = await VaultTransitSimulator.start({ token: TOKEN });
    vault.createKey('records', { derived: true });
    const keyring = new VaultTransitKeyring({ address: vault.address, token: TOKEN, keyName: 'records' });
    try {
      db = await createPeopleDatabase(20, keyring);
    } finally {
      await keyring.close();
    }
  }, 120_000);
  afterAll(async () => {
    await vault.close();
    rmSync(db.root, { recursive: true, force: true });
  });

  it('re-wraps through the simulated Vault and refuses options of keyrings not in use', async () => {
    vault.rotate('records');
    const vaultArgs = ['--keyring', 'vault', '--vault-addr', vault.address, '--vault-key', 'records'];
    const done = await runInProcess(['records', 'rewrap', '--pglite', db.dir, ...vaultArgs, '--json', '-q'], {
      env: { VAULT_TOKEN: TOKEN },
    });
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ kekId: 'transit/records:v2', failed: [] });
    const multi = await runInProcess(
      ['records', 'rewrap', '--pglite', db.dir, '--keyring', 'multi', '--wrap-with', 'vault'].concat(
        vaultArgs.slice(2),
        ['--decrypt-only', 'local', '-q'],
      ),
      { env: { VAULT_TOKEN: TOKEN, CIPHERLAYER_MASTER_KEYS: db.masterKeys } },
    );
    expect(multi.stdout).toMatch(/keys re-wrapped, 0 failed/);
    const noToken = await runInProcess(['records', 'rewrap', '--pglite', db.dir, ...vaultArgs], {
      env: { VAULT_TOKEN: undefined },
    });
    expect(noToken.code).toBe(3);
    const badCa = await runInProcess(
      ['records', 'rewrap', '--pglite', db.dir, ...vaultArgs, '--vault-ca-file', join(dir, 'nope.pem')],
      { env: { VAULT_TOKEN: TOKEN } },
    );
    expect(badCa.stderr).toMatch(/cannot read Vault CA file/);
    const kms = await runInProcess([
      'records',
      'rewrap',
      '--pglite',
      db.dir,
      '--keyring',
      'aws-kms',
      '--kms-key-id',
      'x',
    ]);
    expect(kms.code).toBe(2);
    const hsm = await runInProcess(
      [
        'records',
        'rewrap',
        '--pglite',
        db.dir,
        '--keyring',
        'pkcs11',
        '--pkcs11-module',
        join(dir, 'none.so'),
      ].concat(['--pkcs11-token-label', 't', '--pkcs11-key-label', 'k']),
    );
    expect(hsm).toMatchObject({ code: 3, stderr: expect.stringMatching(/no PKCS#11 module at/) });
    for (const args of [
      ['--keyring', 'local', '--kms-endpoint', 'https://kms'],
      ['--keyring', 'multi'],
      ['--keyring', 'local', '--decrypt-only', 'vault'],
      ['--keyring', 'local', '--new-kek'],
    ])
      expect((await runInProcess(['records', 'rewrap', '--pglite', db.dir, ...args])).code).toBe(2);
  });
});
