import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AwsKmsKeyring,
  Pkcs11Keyring,
  type Pkcs11KeyringOptions,
  VaultTransitKeyring,
} from '@cipherlayer/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The records package's own test doubles: a SoftHSM2 token store of its own (a real PKCS#11 HSM),
// and SIMULATED AWS KMS and Vault Transit endpoints on loopback (simulations, not the services).
import { KmsSimulator } from '../../records/test/helpers/kms-simulator.js';
import { createSoftHsm, SOFTHSM_LIBRARY, type SoftHsm } from '../../records/test/helpers/softhsm.js';
import { VaultTransitSimulator } from '../../records/test/helpers/vault-simulator.js';
import { createPeopleDatabase, type PeopleDatabase } from './helpers/pglite-people.js';
import { type CliRun, runCli, STACK } from './helpers/run-cli.js';

const ROWS = 40;
const removals: (() => unknown)[] = [];
afterAll(async () => {
  for (const remove of removals.reverse()) await remove();
});

function rewrapResult(run: CliRun): {
  kekId: string;
  keyringId: string;
  rewrapped: number;
  failed: unknown[];
} {
  expect(run.stderr).not.toMatch(STACK);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

function expectOneLine(run: CliRun, code: number, message: RegExp, secrets: readonly string[] = []): void {
  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(code);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(STACK);
  for (const s of secrets) expect(`${run.stdout}${run.stderr}`).not.toContain(s);
}

describe('records with --keyring pkcs11, against SoftHSM2 (a real PKCS#11 token)', () => {
  const TOKEN = 'cl-cli-records';
  const PIN = 'user-pin-7391';
  let hsm: SoftHsm;
  let db: PeopleDatabase;
  const pkcs11 = (label = 'records-kek') => [
    '--keyring',
    'pkcs11',
    '--pkcs11-module',
    SOFTHSM_LIBRARY,
    '--pkcs11-token-label',
    TOKEN,
    '--pkcs11-key-label',
    label,
  ];
  const libraryOptions: Pkcs11KeyringOptions = {
    library: SOFTHSM_LIBRARY,
    tokenLabel: TOKEN,
    pin: PIN,
    keyLabel: 'records-kek',
  };

  beforeAll(async () => {
    hsm = createSoftHsm(); // SOFTHSM2_CONF for this process and the CLI it starts
    removals.push(() => hsm.cleanup());
    hsm.initToken(TOKEN, PIN);
    const keyring = await Pkcs11Keyring.open(libraryOptions);
    try {
      expect(await keyring.currentKekId()).toBe('records-kek/v1');
      db = await createPeopleDatabase(ROWS, keyring);
      removals.push(() => rmSync(db.root, { recursive: true, force: true }));
    } finally {
      await keyring.close();
    }
  }, 120_000);

  it('rewrap --new-kek makes KEK version 2 in the token and moves every key to it; verify opens every field', async () => {
    const env = { CIPHERLAYER_PKCS11_PIN: PIN };
    const run = await runCli(['records', 'rewrap', '--pglite', db.dir, ...pkcs11(), '--new-kek', '--json'], {
      env,
    });
    const result = rewrapResult(run);
    expect(result).toMatchObject({
      newKek: 'records-kek/v2',
      kekId: 'records-kek/v2',
      keyringId: `pkcs11:${TOKEN}/records-kek`,
      failed: [],
    });
    expect(result.rewrapped).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/^rewrap +\d+\/\d+ keys/m);
    const again = rewrapResult(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...pkcs11(), '--json'], { env }),
    );
    expect(again.rewrapped).toBe(0);

    const pinFile = join(db.root, 'pin');
    writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
    const verify = await runCli(
      [
        'records',
        'verify',
        '--pglite',
        db.dir,
        '--definition',
        db.definitionFile,
        ...pkcs11(),
        '--pkcs11-pin-file',
        pinFile,
      ],
      { env: { CIPHERLAYER_PKCS11_PIN: undefined } },
    );
    expect(verify.stdout).toMatch(new RegExp(`verify people: ${ROWS} rows, 0 problems`));
    expect(verify.code).toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).not.toContain(PIN);
  });

  it('refuses a wrong PIN, a missing PIN, an unknown KEK label and a missing module, with one line', async () => {
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...pkcs11()], {
        env: { CIPHERLAYER_PKCS11_PIN: '000000-wrong' },
      }),
      3,
      /PIN|login/i,
      ['000000-wrong'],
    );
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...pkcs11(), '--pkcs11-pin-env', 'HSM_PIN'], {
        env: { HSM_PIN: undefined },
      }),
      3,
      /HSM_PIN is not set: it holds the PKCS#11 user PIN/,
    );
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...pkcs11('no-such-kek')], {
        env: { CIPHERLAYER_PKCS11_PIN: PIN },
      }),
      3,
      /no key labelled "no-such-kek" in the token/,
      [PIN],
    );
    const missing = [...pkcs11()];
    missing[3] = '/nonexistent/libpkcs11.so';
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...missing], {
        env: { CIPHERLAYER_PKCS11_PIN: PIN },
      }),
      3,
      /no PKCS#11 module at \/nonexistent\/libpkcs11\.so/,
    );
  });

  it('moves a local-keyring database into the token with --keyring multi --decrypt-only local', async () => {
    const local = await createPeopleDatabase(ROWS);
    removals.push(() => rmSync(local.root, { recursive: true, force: true }));
    const env = { CIPHERLAYER_MASTER_KEYS: local.masterKeys, CIPHERLAYER_PKCS11_PIN: PIN };
    const hsmOptions = [
      '--pkcs11-module',
      SOFTHSM_LIBRARY,
      '--pkcs11-token-label',
      TOKEN,
      '--pkcs11-key-label',
      'moved-kek',
    ];
    const move = await runCli(
      [
        'records',
        'rewrap',
        '--pglite',
        local.dir,
        '--keyring',
        'multi',
        '--wrap-with',
        'pkcs11',
        ...hsmOptions,
        '--pkcs11-create-key',
        '--decrypt-only',
        'local',
        '--json',
      ],
      { env },
    );
    const result = rewrapResult(move);
    expect(result).toMatchObject({ keyringId: `multi(pkcs11:${TOKEN}/moved-kek)`, failed: [] });
    expect(result.rewrapped).toBeGreaterThan(0);
    // Without the local keyring at all: every field opens through the token.
    const verify = await runCli(
      [
        'records',
        'verify',
        '--pglite',
        local.dir,
        '--definition',
        local.definitionFile,
        '--keyring',
        'multi',
        '--wrap-with',
        'pkcs11',
        ...hsmOptions,
        '--quiet',
        '--json',
      ],
      { env: { CIPHERLAYER_PKCS11_PIN: PIN } },
    );
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ rows: ROWS, problems: [] });
    // And the local master key alone no longer opens them.
    const stale = await runCli(
      [
        'records',
        'verify',
        '--pglite',
        local.dir,
        '--definition',
        local.definitionFile,
        '--keyring',
        'local',
      ],
      { env: { CIPHERLAYER_MASTER_KEYS: local.masterKeys } },
    );
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).not.toMatch(STACK);
  }, 180_000);
});

describe('records with --keyring aws-kms, against KmsSimulator (a SIMULATED KMS endpoint)', () => {
  const credentials = {
    AWS_ACCESS_KEY_ID: 'AKIDSIMULATEDCLI01',
    AWS_SECRET_ACCESS_KEY: 'simulated-secret-cli',
  };
  let kms: KmsSimulator;
  let db: PeopleDatabase;
  let oldArn: string;
  let newArn: string;

  beforeAll(async () => {
    kms = await KmsSimulator.start();
    removals.push(() => kms.close());
    oldArn = kms.createKey();
    kms.setAlias('alias/records', oldArn);
    // The keyring is named by the keyId it is given ("aws-kms:alias/records"): the CLI names it the same way.
    const keyring = new AwsKmsKeyring({
      keyId: 'alias/records',
      region: kms.region,
      endpoint: kms.endpoint,
      credentials: {
        accessKeyId: credentials.AWS_ACCESS_KEY_ID,
        secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
      },
    });
    try {
      db = await createPeopleDatabase(ROWS, keyring);
      removals.push(() => rmSync(db.root, { recursive: true, force: true }));
    } finally {
      await keyring.close();
    }
    // KEK rotation in KMS terms: the alias now names another key.
    newArn = kms.createKey();
    kms.setAlias('alias/records', newArn);
  }, 120_000);

  const env = () => ({ ...credentials, AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' });
  const kmsOptions = () => ['--keyring', 'aws-kms', '--kms-endpoint', kms.endpoint, '--region', kms.region];

  it('rewrap re-encrypts every key under the key an alias names (KMS ReEncrypt), then verify opens them', async () => {
    const before = kms.calls.length;
    const run = await runCli(
      ['records', 'rewrap', '--pglite', db.dir, ...kmsOptions(), '--kms-key-id', 'alias/records', '--json'],
      { env: env() },
    );
    const result = rewrapResult(run);
    expect(result).toMatchObject({ kekId: newArn, keyringId: 'aws-kms:alias/records', failed: [] });
    expect(result.rewrapped).toBeGreaterThan(0);
    const calls = kms.calls.slice(before);
    expect(calls.filter((c) => c.action === 'ReEncrypt' && c.status === 200)).toHaveLength(result.rewrapped);
    expect(
      calls.every((c) => c.authorization?.includes(`Credential=${credentials.AWS_ACCESS_KEY_ID}/`)),
    ).toBe(true);
    const verify = await runCli(
      [
        'records',
        'verify',
        '--pglite',
        db.dir,
        '--definition',
        db.definitionFile,
        ...kmsOptions(),
        '--kms-key-id',
        newArn,
      ],
      { env: env() },
    );
    expect(verify.stdout).toMatch(new RegExp(`verify people: ${ROWS} rows, 0 problems`));
    expect(verify.code).toBe(0);
    expect(`${run.stdout}${run.stderr}${verify.stdout}${verify.stderr}`).not.toContain(
      credentials.AWS_SECRET_ACCESS_KEY,
    );
  });

  it('refuses a key id that is not one, and a region that disagrees with the ARN, as usage errors', async () => {
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...kmsOptions(), '--kms-key-id', 'records'], {
        env: env(),
      }),
      2,
      /the aws-kms keyring options: .*keyId "records" is not a KMS key id/,
    );
    expectOneLine(
      await runCli(
        [
          'records',
          'rewrap',
          '--pglite',
          db.dir,
          '--keyring',
          'aws-kms',
          '--kms-key-id',
          newArn,
          '--region',
          'eu-west-1',
        ],
        { env: env() },
      ),
      2,
      /keyId is in region us-east-1 but region is eu-west-1/,
    );
  });
});

describe('records with --keyring vault, against VaultTransitSimulator (a SIMULATED Vault)', () => {
  const TOKEN = 'hvs.simulated-cli-token-do-not-log';
  let vault: VaultTransitSimulator;
  let db: PeopleDatabase;

  beforeAll(async () => {
    vault = await VaultTransitSimulator.start({ token: TOKEN });
    removals.push(() => vault.close());
    vault.createKey('records', { derived: true });
    const keyring = new VaultTransitKeyring({ address: vault.address, token: TOKEN, keyName: 'records' });
    try {
      db = await createPeopleDatabase(ROWS, keyring);
      removals.push(() => rmSync(db.root, { recursive: true, force: true }));
    } finally {
      await keyring.close();
    }
    expect(vault.rotate('records')).toBe(2);
  }, 120_000);

  const vaultOptions = () => ['--keyring', 'vault', '--vault-addr', vault.address, '--vault-key', 'records'];

  it('rewrap moves every key to the latest version with transit/rewrap; the token comes from a file', async () => {
    const before = vault.requests.length;
    const run = await runCli(['records', 'rewrap', '--pglite', db.dir, ...vaultOptions(), '--json'], {
      env: { VAULT_TOKEN: TOKEN },
    });
    const result = rewrapResult(run);
    expect(result).toMatchObject({
      kekId: 'transit/records:v2',
      keyringId: 'vault:transit/records',
      failed: [],
    });
    expect(result.rewrapped).toBeGreaterThan(0);
    const rewraps = vault.requests.slice(before).filter((r) => r.path.endsWith('/rewrap/records'));
    expect(rewraps.filter((r) => r.status === 200)).toHaveLength(result.rewrapped);
    const tokenFile = join(db.root, 'vault-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const verify = await runCli(
      ['records', 'verify', '--pglite', db.dir, '--definition', db.definitionFile, ...vaultOptions()].concat([
        '--vault-token-file',
        tokenFile,
        '--quiet',
      ]),
      { env: { VAULT_TOKEN: undefined } },
    );
    expect(verify.stdout).toMatch(new RegExp(`verify people: ${ROWS} rows, 0 problems`));
    expect(verify.code).toBe(0);
    expect(`${run.stdout}${run.stderr}${verify.stdout}${verify.stderr}`).not.toContain(TOKEN);
  });

  it('reports a wrong token and an unreachable Vault with one line, never the token', async () => {
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...vaultOptions()], {
        env: { VAULT_TOKEN: 'hvs.wrong-token-value' },
      }),
      3,
      /Vault denied .* \(403 permission denied\); check the token, its policy and the namespace/,
      ['hvs.wrong-token-value'],
    );
    const down = await runCli(
      [
        'records',
        'rewrap',
        '--pglite',
        db.dir,
        '--keyring',
        'vault',
        '--vault-addr',
        'http://127.0.0.1:1',
        '--vault-key',
        'records',
      ],
      { env: { VAULT_TOKEN: TOKEN } },
    );
    expectOneLine(down, 4, /unavailable/, [TOKEN]);
    const open = join(db.root, 'open-token');
    writeFileSync(open, TOKEN, { mode: 0o644 });
    expectOneLine(
      await runCli(['records', 'rewrap', '--pglite', db.dir, ...vaultOptions(), '--vault-token-file', open]),
      3,
      /Vault token .* is accessible by other users/,
      [TOKEN],
    );
  });
});

describe('keyring options', () => {
  const base = ['records', 'rewrap', '--pglite', '/nonexistent/pg'];
  it.each([
    [['--keyring', 'hsm'], /--keyring must be one of local, pkcs11, aws-kms, vault, multi, not "hsm"/],
    [['--keyring', 'pkcs11'], /--pkcs11-module is required with the pkcs11 keyring/],
    [
      ['--keyring', 'pkcs11', '--pkcs11-module', 'm.so', '--pkcs11-token-label', 't'],
      /--pkcs11-key-label is required with the pkcs11 keyring/,
    ],
    [['--keyring', 'aws-kms'], /--kms-key-id is required with the aws-kms keyring/],
    [
      ['--keyring', 'vault', '--vault-addr', 'http://127.0.0.1:8200'],
      /--vault-key is required with the vault keyring/,
    ],
    [
      ['--keyring', 'vault', '--vault-key', 'records'],
      /needs Vault's address: --vault-addr <url> or VAULT_ADDR/,
    ],
    [
      ['--keyring', 'local', '--vault-addr', 'https://v:8200'],
      /--vault-addr is for the vault keyring, which is not in use \(local\)/,
    ],
    [['--keyring', 'local', '--region', 'eu-west-1'], /--region is for the aws-kms keyring/],
    [
      ['--keyring', 'local', '--wrap-with', 'pkcs11'],
      /--wrap-with and --decrypt-only go with --keyring multi/,
    ],
    [['--keyring', 'multi', '--decrypt-only', 'local'], /--keyring multi needs at least one --wrap-with/],
    [
      ['--keyring', 'multi', '--wrap-with', 'local', '--decrypt-only', 'local'],
      /the local keyring is listed twice/,
    ],
    [
      ['--keyring', 'multi', '--wrap-with', 'kms'],
      /--wrap-with must be one of local, pkcs11, aws-kms, vault, not "kms"/,
    ],
    [['--keyring', 'pkcs11', '--pkcs11-pin', '1234'], /unknown option --pkcs11-pin for records rewrap/],
    [['--keyring', 'vault', '--vault-token', 'hvs.x'], /unknown option --vault-token for records rewrap/],
    [
      [
        ...[
          '--keyring',
          'pkcs11',
          '--pkcs11-module',
          'm',
          '--pkcs11-token-label',
          't',
          '--pkcs11-key-label',
          'k',
        ],
      ].concat(['--pkcs11-pin-env', 'A', '--pkcs11-pin-file', 'f']),
      /give --pkcs11-pin-env or --pkcs11-pin-file, not both/,
    ],
    [
      [
        '--keyring',
        'pkcs11',
        '--pkcs11-module',
        'm',
        '--pkcs11-token-label',
        't',
        '--pkcs11-key-label',
        'k',
        '--pkcs11-mechanism',
        'rsa',
      ],
      /--pkcs11-mechanism must be one of auto, aes-gcm, aes-key-wrap-pad/,
    ],
    [['--keyring', 'local', '--new-kek'], /--new-kek generates a KEK version in a PKCS#11 token/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    expectOneLine(await runCli([...base, ...args], { env: { VAULT_ADDR: undefined } }), 2, message);
  });

  it('reads no secret from a variable that is not set (exit 3)', async () => {
    expectOneLine(
      await runCli(
        [...base, '--keyring', 'vault', '--vault-addr', 'http://127.0.0.1:8200', '--vault-key', 'k'],
        {
          env: { VAULT_TOKEN: undefined },
        },
      ),
      3,
      /VAULT_TOKEN is not set: it holds the Vault token \(or give --vault-token-file <file>\)/,
    );
  });

  it('lists every keyring with an example in records rewrap --help', async () => {
    const help = await runCli(['records', 'rewrap', '--help']);
    expect(help.code).toBe(0);
    for (const kind of ['local', 'pkcs11', 'aws-kms', 'vault', 'multi'])
      expect(help.stdout).toMatch(new RegExp(`examples:[\\s\\S]*--keyring ${kind}`));
  });
});
