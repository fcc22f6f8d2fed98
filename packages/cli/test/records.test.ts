import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalKeyring } from '@cipherlayer/records';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeopleDatabase, type PeopleDatabase } from './helpers/pglite-people.js';
import { runCli, STACK } from './helpers/run-cli.js';

const ROWS = 3000;
let db: PeopleDatabase;

beforeAll(async () => {
  db = await createPeopleDatabase(ROWS);
}, 120_000);
afterAll(() => rmSync(db.root, { recursive: true, force: true }));

const common = () => ['--pglite', db.dir, '--keyring', 'local', '--definition', db.definitionFile];
const env = () => ({ CIPHERLAYER_MASTER_KEYS: db.masterKeys });

describe('records commands on PGlite', () => {
  it('reencrypt stops cleanly on Ctrl-C (exit 130) and resumes where it stopped', async () => {
    let interrupted = false;
    const first = await runCli(
      ['records', 'reencrypt', ...common(), '--job', 'rotate-1', '--rotate', '--batch-size', '20'],
      {
        env: env(),
        onStderr: (text, child) => {
          if (!interrupted && /^reencrypt .*rows/m.test(text)) {
            interrupted = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    expect(first.code).toBe(130);
    expect(first.stdout).toMatch(/job rotate-1 on people: stopped/);
    expect(first.stdout).toContain('run the same command again to resume');
    const stoppedAt = Number(/rows: (\d+) of 3000 done/.exec(first.stdout)?.[1]);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(ROWS);

    const second = await runCli(
      ['records', 'reencrypt', ...common(), '--job', 'rotate-1', '--batch-size', '500'],
      { env: env() },
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/job rotate-1 on people: done/);
    expect(second.stdout).toMatch(/rows: 3000 of 3000 done, 3000 re-encrypted or re-indexed, 3000 verified/);
    expect(second.stdout).toMatch(/checksum: unchanged/);
    expect(second.stdout).toMatch(/runs: 2 /);
    // Progress in a pipe: plain lines, no carriage returns, no bar, no colours.
    const progress = second.stderr.split('\n').filter((line) => line.length > 0);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress)
      expect(line).toMatch(/^(reencrypt|verify) +\d+\/3000 rows \(\d+\.\d%\) \d+ rows\/s ETA \w+$/);
    for (const mark of ['\r', '\u001b[', '[#']) expect(second.stderr.includes(mark)).toBe(false);
    expect(progress.at(-1)).toMatch(/^verify +3000\/3000 rows \(100\.0%\)/);
  });

  it('refuses --rotate on an existing job, which would strand its fields', async () => {
    const run = await runCli(['records', 'reencrypt', ...common(), '--job', 'rotate-1', '--rotate'], {
      env: env(),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/job rotate-1 exists: run without --rotate to resume it/);
  });

  it('verify reports the fields per data key as JSON, with no problems', async () => {
    const run = await runCli(['records', 'verify', ...common(), '--json', '--quiet'], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ table: 'people', rows: ROWS, problems: [], exitCode: 0 });
    const counts = Object.values(report.fieldsByKey as Record<string, number>);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ROWS * 3);
  });

  it('rewrap moves every key under the new KEK, and is a no-op the second time', async () => {
    const next = LocalKeyring.generateKeyEntry('k2');
    const keys = { CIPHERLAYER_MASTER_KEYS: `${next},${db.masterKeys}` };
    const run = await runCli(['records', 'rewrap', '--pglite', db.dir, '--keyring', 'local', '--json'], {
      env: keys,
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ kekId: 'k2', failed: [], exitCode: 0 });
    expect(result.rewrapped).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/^rewrap +\d+\/\d+ keys/m);
    const again = JSON.parse(
      (await runCli(['records', 'rewrap', '--pglite', db.dir, '--keyring', 'local', '--json'], { env: keys }))
        .stdout,
    );
    expect(again.rewrapped).toBe(0);
    // Without the new KEK, the keys no longer open: verify fails, as it should.
    const stale = await runCli(['records', 'verify', ...common(), '--quiet'], {
      env: { CIPHERLAYER_MASTER_KEYS: db.masterKeys },
    });
    expect(stale.code).not.toBe(0);
    const fresh = await runCli(['records', 'verify', ...common(), '--quiet'], { env: keys });
    expect(fresh.code).toBe(0);
  });

  it.each([
    [['records', 'verify', '--pglite', 'x', '--definition', 'y'], {}, 2, /--keyring is required/],
    [
      ['records', 'verify', '--keyring', 'local', '--definition', 'y'],
      { DATABASE_URL: undefined },
      2,
      /no database: give --database-url/,
    ],
    [
      ['records', 'verify', '--keyring', 'hsm', '--pglite', 'x', '--definition', 'y'],
      {},
      2,
      /--keyring must be one of local, pkcs11, aws-kms, vault, multi/,
    ],
    [
      ['records', 'reencrypt', '--keyring', 'local', '--pglite', 'x', '--definition', 'y'],
      {},
      2,
      /--job is required/,
    ],
    [
      [
        'records',
        'verify',
        '--keyring',
        'local',
        '--pglite',
        '/nonexistent/pg',
        '--definition',
        'package.json',
      ],
      {},
      3,
      /no PGlite database at \/nonexistent\/pg/,
    ],
    [
      [
        'records',
        'verify',
        '--keyring',
        'local',
        '--pglite',
        '/nonexistent/pg',
        '--definition',
        '/nonexistent/t.json',
      ],
      {},
      3,
      /cannot read table definition \/nonexistent\/t\.json: no such file/,
    ],
    [
      ['records', 'rewrap', '--keyring', 'local', '--pglite', '/nonexistent/pg'],
      { CIPHERLAYER_MASTER_KEYS: undefined },
      3,
      /CIPHERLAYER_MASTER_KEYS is not set/,
    ],
    [
      ['records', 'rewrap', '--keyring', 'local', '--database-url', 'postgres://127.0.0.1:1/none'],
      { CIPHERLAYER_MASTER_KEYS: LocalKeyring.generateKeyEntry('k') },
      4,
      /cannot connect to PostgreSQL/,
    ],
  ])('%j ends with a clear error', async (args, extraEnv, code, message) => {
    const run = await runCli(args, {
      env: { CIPHERLAYER_MASTER_KEYS: LocalKeyring.generateKeyEntry('k1'), ...extraEnv },
    });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(code);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('refuses a bad table definition and a wrong master key with one line', async () => {
    const bad = join(db.root, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, '{"table":"people"}');
    const run = await runCli(
      ['records', 'verify', '--pglite', db.dir, '--keyring', 'local', '--definition', bad],
      { env: env() },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/invalid configuration/);
    expect(run.stderr).not.toMatch(STACK);
  });
});
