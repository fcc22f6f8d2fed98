import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalKeyring } from '@cipherlayer/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBase64Url, asJson, BINDING, type Messages, makeMessages } from './helpers/messages.js';
import { createPeopleDatabase, type PeopleDatabase } from './helpers/pglite-people.js';
import { runCli } from './helpers/run-cli.js';
import { runInProcess } from './helpers/run-in-process.js';

/**
 * The same invocations through `run` from the sources (in this process) and,
 * where the output is deterministic, through the built binary: both must
 * agree on the exit code and the output.
 */
let dir: string;
let m: Messages;
let keys: string;
let db: PeopleDatabase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cl-cli-inproc-'));
  m = await makeMessages(3);
  keys = join(dir, 'keys.json');
  writeFileSync(keys, JSON.stringify(m.keySet.toPrivateDocument()), { mode: 0o600 });
  writeFileSync(join(dir, 'open.json'), JSON.stringify(m.keySet.toPrivateDocument()));
  chmodSync(join(dir, 'open.json'), 0o644);
  writeFileSync(join(dir, 'request.bin'), m.request);
  writeFileSync(
    join(dir, 'shape.json'),
    '{"keys":[{"d":"x","hpke":{"kem":32,"kdf":1,"aead":2},"kty":"OKP","x":"!"}]}',
    { mode: 0o600 },
  );
  db = await createPeopleDatabase(300);
}, 120_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(db.root, { recursive: true, force: true });
});

const deterministic: [string, () => string[], (() => string | Uint8Array) | undefined][] = [
  ['main help', () => ['--help'], undefined],
  ['no arguments', () => [], undefined],
  ['group help', () => ['records'], undefined],
  ['group --help', () => ['keys', '--help'], undefined],
  ['help topic', () => ['help', 'inspect'], undefined],
  ['version', () => ['-V'], undefined],
  ['unknown command', () => ['nope'], undefined],
  ['unknown subcommand', () => ['certs', 'prod'], undefined],
  ['unknown option', () => ['inspect', '--frob'], undefined],
  ['missing value', () => ['inspect', '--key'], undefined],
  ['boolean with value', () => ['records', 'verify', '--quiet=1'], undefined],
  ['extra argument', () => ['keys', 'pin', 'a', 'b'], undefined],
  ['list a key set', () => ['keys', 'list', keys, '--json'], undefined],
  ['pin a key set', () => ['keys', 'pin', keys], undefined],
  ['list an open key file', () => ['keys', 'list', join(dir, 'open.json')], undefined],
  ['list a bad key', () => ['keys', 'list', join(dir, 'shape.json')], undefined],
  ['list nothing', () => ['keys', 'list'], undefined],
  ['pin nothing', () => ['keys', 'pin'], undefined],
  ['rotate nothing', () => ['keys', 'rotate'], undefined],
  ['inspect a request', () => ['inspect', join(dir, 'request.bin')], undefined],
  ['inspect JSON from stdin', () => ['inspect', '--json'], () => asJson(m.response)],
  ['inspect base64url', () => ['inspect', asBase64Url(m.sessionResponse)], undefined],
  ['inspect a handshake', () => ['inspect', asJson(m.handshake), '--json'], undefined],
  ['inspect a handshake response', () => ['inspect', '-'], () => m.handshakeResponse],
  ['inspect a session request', () => ['inspect', '-'], () => asBase64Url(m.session)],
  ['inspect nothing on stdin', () => ['inspect', '-'], () => ''],
  [
    'inspect a JSON string',
    () => ['inspect', JSON.stringify(asBase64Url(m.request)).replace(/^/, '')],
    undefined,
  ],
  ['inspect an array', () => ['inspect', '[1,2]'], undefined],
  ['inspect a JWS', () => ['inspect', 'eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln', '--json'], undefined],
  ['inspect a JWE JSON', () => ['inspect', '{"protected":"e30","ciphertext":"AA"}'], undefined],
  ['inspect a short static-key', () => ['inspect', '{"data":"AAAA"}'], undefined],
  [
    'inspect an unknown KEM',
    () => [
      'inspect',
      asBase64Url(Uint8Array.from([...m.request.subarray(0, 3), 0, 0x99, ...m.request.subarray(5)])),
    ],
    undefined,
  ],
  [
    'decrypt',
    () => [
      'inspect',
      join(dir, 'request.bin'),
      '--key',
      keys,
      '--method',
      BINDING.method,
      '--target',
      BINDING.target,
    ],
    undefined,
  ],
  [
    'decrypt a handshake',
    () => ['inspect', asJson(m.handshake), '--key', keys, '--method', 'POST', '--target', '/'],
    undefined,
  ],
  ['decrypt without --key', () => ['inspect', asJson(m.request), '--method', 'POST'], undefined],
  [
    'decrypt a seed envelope',
    () => ['inspect', '{"data":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}', '--key', keys],
    undefined,
  ],
  [
    'decrypt with the wrong method',
    () => [
      'inspect',
      asJson(m.request),
      '--key',
      keys,
      '--method',
      'PUT',
      '--target',
      BINDING.target,
      '--json',
    ],
    undefined,
  ],
  [
    'decrypt with a bad method',
    () => ['inspect', asJson(m.request), '--key', keys, '--method', 'P U T', '--target', BINDING.target],
    undefined,
  ],
  ['records without keyring', () => ['records', 'rewrap', '--pglite', '/nonexistent'], undefined],
  [
    'records with two databases',
    () => ['records', 'rewrap', '--keyring', 'local', '--pglite', 'a', '--database-url', 'b'],
    undefined,
  ],
  [
    'records with two key sources',
    () => [
      'records',
      'rewrap',
      '--keyring',
      'local',
      '--pglite',
      'a',
      '--master-keys-env',
      'A',
      '--master-keys-file',
      'b',
    ],
    undefined,
  ],
  ['reencrypt --tenant alone', () => ['records', 'reencrypt', '--job', 'x', '--tenant', 't'], undefined],
  ['bench elsewhere', () => ['bench', '--json'], undefined],
];

describe('run() from the sources agrees with the built binary', () => {
  it.each(deterministic)('%s', async (_name, args, input) => {
    const options = { cwd: dir, ...(input === undefined ? {} : { input: input() }) };
    const inProcess = await runInProcess(args(), options);
    const binary = await runCli(args(), options);
    expect(inProcess.code).toBe(binary.code);
    const stable = (text: string) =>
      text.replace(/\(\d+, \d+ (s|min|h) ago\)/g, '(…)').replace(/"ageSeconds": \d+/g, '');
    expect(stable(inProcess.stdout)).toBe(stable(binary.stdout));
    expect(inProcess.stderr).toBe(binary.stderr);
  });
});

describe('run() from the sources', () => {
  it('generates, rotates and pins keys of every profile', async () => {
    const file = join(dir, 'gen.json');
    expect(
      (await runInProcess(['keys', 'generate', '--out', file, '--public-out', join(dir, 'gen.pub.json')]))
        .code,
    ).toBe(0);
    expect(
      (
        await runInProcess([
          'keys',
          'generate',
          '--out',
          file,
          '--valid-days',
          '5',
          '--not-after',
          '2099-01-01',
        ])
      ).code,
    ).toBe(2);
    expect(
      (await runInProcess(['keys', 'generate', '--out', join(dir, 'x.json'), '--not-after', '2001-01-01']))
        .code,
    ).toBe(2);
    expect(
      (
        await runInProcess([
          'keys',
          'generate',
          '--out',
          join(dir, 'y.json'),
          '--not-before',
          '2030-01-01',
          '--not-after',
          '2029-01-01',
        ])
      ).code,
    ).toBe(2);
    expect((await runInProcess(['keys', 'generate', '--out', '-'])).code).toBe(0);
    expect(
      (
        await runInProcess([
          'keys',
          'rotate',
          file,
          '--retire-old-at',
          '2099-01-01',
          '--not-before',
          new Date().toISOString(),
        ])
      ).code,
    ).toBe(0);
    expect(
      (await runInProcess(['keys', 'rotate', file, '--retire-old-at', '2099-01-01', '--retire-old-in', '3']))
        .code,
    ).toBe(2);
    expect((await runInProcess(['keys', 'list', file])).stdout).toMatch(/^kid/);
    expect((await runInProcess(['keys', 'list', join(dir, 'gen.pub.json'), '--json'])).code).toBe(0);
    expect((await runInProcess(['keys', 'list', join(dir, 'gen.pub.json')])).code).toBe(0);
    for (const [profile, extra] of [
      ['rsa-session', []],
      ['jwe', ['--format', 'jwk', '--kid', 'a']],
      ['jwe', ['--curve', 'P-256']],
      ['static-key', []],
    ] as const) {
      const out = join(dir, `${profile}-${extra.length}.key`);
      const made = await runInProcess(['keys', 'generate', '--profile', profile, '--out', out, ...extra]);
      expect(made.code).toBe(0);
      expect((await runInProcess(['keys', 'list', out])).code).toBe(0);
      expect((await runInProcess(['keys', 'pin', out, '--json'])).code).toBe(
        profile === 'static-key' ? 2 : 0,
      );
    }
    expect(
      (
        await runInProcess([
          'keys',
          'generate',
          '--profile',
          'static-key',
          '--out',
          join(dir, 's.hex'),
          '--public-out',
          join(dir, 's.pub'),
        ])
      ).code,
    ).toBe(2);
    writeFileSync(
      join(dir, 'pub.pem'),
      readFileSync(join(dir, 'rsa-session-0.key'), 'utf8').replace(/PRIVATE/g, 'NOPE'),
    );
    expect((await runInProcess(['keys', 'list', join(dir, 'pub.pem')])).code).toBe(3);
    writeFileSync(join(dir, 'bad.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', {
      mode: 0o600,
    });
    expect((await runInProcess(['keys', 'list', join(dir, 'bad.pem')])).stderr).toMatch(
      /cannot be read as a key/,
    );
    writeFileSync(
      join(dir, 'disc.json'),
      '{"protocol":"cl1","keys":[{"kid":"1","crv":"X25519","hpke":{"kem":32,"kdf":1,"aead":2},"x":"!"}]}',
    );
    expect((await runInProcess(['keys', 'pin', join(dir, 'disc.json')])).code).toBe(3);
    writeFileSync(join(dir, 'expired-disc.json'), JSON.stringify({ protocol: 'cl1', keys: [] }));
    expect((await runInProcess(['keys', 'pin', join(dir, 'expired-disc.json')])).code).toBe(2);
    mkdirSync(join(dir, 'ro'), { mode: 0o500 });
    expect((await runInProcess(['keys', 'generate', '--out', join(dir, 'ro', 'k.json')])).code).toBe(
      process.getuid?.() === 0 ? 0 : 3,
    );
  });

  it('runs records reencrypt, verify and rewrap on PGlite, with a terminal-free progress display', async () => {
    const env = { CIPHERLAYER_MASTER_KEYS: db.masterKeys };
    const common = ['--pglite', db.dir, '--keyring', 'local', '--definition', db.definitionFile];
    const done = await runInProcess(
      ['records', 'reencrypt', ...common, '--job', 'j', '--rotate', '--tenant', 't1', '--batch-size', '100'],
      { env },
    );
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/rotated data keys \(now retiring\): [0-9a-f]{16}$/m);
    expect(done.stderr).toMatch(/^verify +300\/300 rows/m);
    const json = await runInProcess(
      ['records', 'reencrypt', ...common, '--job', 'j', '--json', '--skip-checksum', '--restart', '-q'],
      { env },
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'done', runs: 2 });
    expect((await runInProcess(['records', 'verify', ...common], { env })).stdout).toMatch(
      /^verify people: 300 rows, 0 problems/,
    );
    const file = join(dir, 'kek.txt');
    writeFileSync(file, `${LocalKeyring.generateKeyEntry('k2')}\n${db.masterKeys}\n`, { mode: 0o600 });
    const rewrap = await runInProcess([
      'records',
      'rewrap',
      '--pglite',
      db.dir,
      '--keyring',
      'local',
      '--master-keys-file',
      file,
    ]);
    expect(rewrap.stdout).toMatch(/keys re-wrapped, 0 failed/);
    const wrong = await runInProcess(
      ['records', 'rewrap', '--pglite', db.dir, '--keyring', 'local', '--master-keys-env', 'OTHER_KEYS'],
      {
        env: { OTHER_KEYS: LocalKeyring.generateKeyEntry('k9') },
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/failed/);
    const stale = await runInProcess(['records', 'verify', ...common, '--json'], {
      env: { CIPHERLAYER_MASTER_KEYS: LocalKeyring.generateKeyEntry('k1') },
    });
    expect(stale.code).not.toBe(0);
  });

  it('reports file and connection problems in one line', async () => {
    mkdirSync(join(dir, 'a-dir'), { recursive: true });
    expect((await runInProcess(['inspect', join(dir, 'a-dir')])).code).toBe(3);
    expect((await runInProcess(['keys', 'list', join(dir, 'a-dir')])).stderr).toMatch(/it is a directory/);
    const cannotWrite = await runInProcess(['keys', 'generate', '--out', join(dir, 'no', 'such', 'k.json')]);
    expect(cannotWrite).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/cannot write .*k\.json: no such file/),
    });
    const pg = await runInProcess(
      ['records', 'rewrap', '--keyring', 'local', '--database-url', 'postgres://127.0.0.1:1/none'],
      {
        env: { CIPHERLAYER_MASTER_KEYS: db.masterKeys },
      },
    );
    expect(pg).toMatchObject({ code: 4, stderr: expect.stringMatching(/cannot connect to PostgreSQL/) });
    const fromEnv = await runInProcess(['records', 'rewrap', '--keyring', 'local', '--debug'], {
      env: { CIPHERLAYER_MASTER_KEYS: db.masterKeys, DATABASE_URL: 'postgres://127.0.0.1:1/none' },
    });
    expect(fromEnv.code).toBe(4);
    expect(fromEnv.stderr).toMatch(/caused by:/);
  });

  it('runs npm run bench in a checkout and passes its exit code on', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'bench'), { recursive: true });
    writeFileSync(
      join(repo, 'package.json'),
      JSON.stringify({
        name: 'cipherlayer',
        scripts: { bench: 'node -e "console.log(process.argv.slice(1).join(\',\'))" --' },
      }),
    );
    const ran = await runInProcess(['bench', '--quick', '--json'], { cwd: join(repo, 'bench') });
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ cwd: repo, exitCode: 0 });
    writeFileSync(
      join(repo, 'package.json'),
      JSON.stringify({ name: 'cipherlayer', scripts: { bench: 'exit 3' } }),
    );
    expect((await runInProcess(['bench'], { cwd: repo })).code).toBe(3);
    writeFileSync(join(repo, 'package.json'), '{ not json');
    expect((await runInProcess(['bench'], { cwd: repo })).code).toBe(1);
  });

  it('makes development certificates and finds the repository for bench', async () => {
    const certs = await runInProcess([
      'certs',
      'dev',
      '--dir',
      join(dir, 'certs'),
      '--client',
      'svc',
      '--days',
      '10',
      '--ca-days',
      '20',
    ]);
    expect(certs.code).toBe(0);
    expect(certs.stdout).toMatch(/client svc/);
    expect((await runInProcess(['bench', '--dry-run'], { cwd: join(dir, '..') })).code).toBe(1);
    const dry = await runInProcess(['bench', '--dry-run']);
    expect(dry.stdout).toMatch(/npm run bench\)$/m);
  });
});
