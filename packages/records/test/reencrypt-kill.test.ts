import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalKeyring,
  openRecords,
  parseFieldCiphertext,
  type Records,
  type TableDefinition,
} from '../src/index.js';
import { openTestDatabase, POSTGRES, type TestDatabase } from './helpers/records-db.js';

/**
 * The re-encryption job survives SIGKILL at any moment. 100,000 rows with
 * three encrypted fields on the real PostgreSQL; the job runs as a child
 * process (src/scripts/reencrypt.ts) and is killed with SIGKILL at random
 * points, several times (in the re-encryption phase and in verification),
 * then run to the end. Every row must then decrypt under a new data key,
 * with exactly the plaintext it had (each row compared, and the checksum of
 * all plaintexts), and no row may be lost or duplicated.
 */

const ROWS = 100_000;
const KILLS_REENCRYPT = 3;
const here = dirname(fileURLToPath(import.meta.url));
const outputDir = resolve(here, '../test-output');

const DEFINITION: TableDefinition = {
  table: 'big_people',
  id: 'id',
  tenant: 'tenant',
  fields: {
    email: { type: 'string', blindIndex: { key: 'email_idx', normalize: ['trim', 'lowercase'] } },
    ssn: { type: 'string' },
    profile: { type: 'json' },
  },
};

const expected = (i: number) => ({
  id: i,
  tenant: `tenant-${i % 16}`,
  email: `Person.${i}@Example.com`,
  ssn: `${String(100 + (i % 900)).padStart(3, '0')}-${String(i % 100).padStart(2, '0')}-${String(i).padStart(6, '0')}`,
  profile: { n: i, name: `Name ${i}`, tags: i % 3 === 0 ? ['vip'] : [] },
});

/** Bundles the script from the sources (the tests never run a stale dist). */
async function bundleScript(): Promise<string> {
  mkdirSync(outputDir, { recursive: true });
  const outfile = join(outputDir, `reencrypt-${process.pid}.mjs`);
  await build({
    entryPoints: [resolve(here, '../src/scripts/reencrypt.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['pg'],
    alias: { '@cipherlayer/core': resolve(here, '../../core/src/index.ts') },
    logLevel: 'error',
  });
  return outfile;
}

interface Run {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startJob(script: string, definitionFile: string, database: TestDatabase, keys: string): Run {
  const url = `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database}`;
  const child = spawn(
    process.execPath,
    [
      script,
      '--url',
      url,
      '--definition',
      definitionFile,
      '--job',
      'kill-test',
      '--schema',
      database.schema,
      '--search-path',
      database.schema,
      '--batch-size',
      '2000',
      '--keys-env',
      'CL_KILL_TEST_KEYS',
    ],
    { env: { ...process.env, NODE_ENV: 'test', CL_KILL_TEST_KEYS: keys }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      if (stderr.trim() !== '' && signal === null) lines.push(`stderr: ${stderr.trim()}`);
      done({ code, signal });
    }),
  );
  return { child, lines, exit };
}

/** Kills the job with SIGKILL once `ready` says so, a random few milliseconds later (so mid-batch). */
async function killWhen(run: Run, ready: (line: string) => boolean): Promise<string | undefined> {
  for (;;) {
    const hit = run.lines.find(ready);
    if (hit !== undefined) {
      await new Promise((r) => setTimeout(r, randomInt(0, 120)));
      run.child.kill('SIGKILL');
      await run.exit;
      return hit;
    }
    if (run.child.exitCode !== null) return undefined;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const progressOf = (line: string) => {
  const match = /^(reencrypt|verify)\s.*?(\d+)\/(\d+) rows/.exec(line);
  return match ? { phase: match[1], done: Number(match[2]) } : undefined;
};

describe('re-encryption job killed with SIGKILL (PostgreSQL, 100,000 rows)', () => {
  let database: TestDatabase;
  let records: Records;
  let keyring: LocalKeyring;
  let keyEntry: string;
  let script: string;
  let definitionFile: string;
  const started = Date.now();

  beforeAll(async () => {
    [script, database] = await Promise.all([bundleScript(), openTestDatabase('PostgreSQL', 'kill')]);
    keyEntry = LocalKeyring.generateKeyEntry('kill-kek');
    process.env.CL_KILL_TEST_KEYS = keyEntry;
    keyring = LocalKeyring.fromEnvironment('CL_KILL_TEST_KEYS');
    records = await openRecords({ db: database.db, schema: database.schema, keyring, keyScope: 'tenant' });
    await database.exec(
      `CREATE TABLE big_people (id bigint PRIMARY KEY, tenant text NOT NULL, email text, email_idx text,
        ssn text, profile text, created date NOT NULL DEFAULT current_date)`,
    );
    const table = records.table(DEFINITION);
    for (let start = 0; start < ROWS; start += 5000) {
      const rows = Array.from({ length: 5000 }, (_, k) => expected(start + k));
      await table.insertMany(rows, { chunkSize: 2500 });
    }
    definitionFile = join(outputDir, `big-people-${process.pid}.json`);
    writeFileSync(definitionFile, JSON.stringify(DEFINITION));
  }, 180_000);

  afterAll(async () => {
    await records?.close();
    await database?.close();
    delete process.env.CL_KILL_TEST_KEYS;
    for (const file of [script, definitionFile]) if (file !== undefined) rmSync(file, { force: true });
  });

  it('is killed several times, resumes each time, and ends with every row intact under the new keys', async () => {
    const table = records.table(DEFINITION);
    const before = await records.verify(table);
    expect(before.rows).toBe(ROWS);
    expect(before.problems).toEqual([]);
    const oldKeys = new Set(Object.keys(before.fieldsByKey));
    expect(oldKeys.size).toBe(16);
    expect((await records.rotateDataKeys()).length).toBe(16);

    const kills: string[] = [];
    // Kills during re-encryption, at random points of increasing progress…
    for (let k = 0; k < KILLS_REENCRYPT; k++) {
      const threshold = randomInt(Math.round((k * ROWS) / 4), Math.round(((k + 1) * ROWS) / 4)) + 1;
      const run = startJob(script, definitionFile, database, keyEntry);
      const hit = await killWhen(run, (line) => {
        const p = progressOf(line);
        return p !== undefined && p.phase === 'reencrypt' && p.done >= threshold;
      });
      expect(hit, `run ${k + 1} ended before its kill point: ${run.lines.join(' | ')}`).toBeDefined();
      const status = await records.reencrypt(table, { name: 'kill-test' }).status();
      kills.push(
        `reencrypt (aimed at ${threshold} rows) after "${hit}" (committed: ${status?.rowsDone} rows)`,
      );
    }
    // …one during verification…
    const verifyThreshold = randomInt(2000, 60_000);
    const verifying = startJob(script, definitionFile, database, keyEntry);
    const hit = await killWhen(verifying, (line) => {
      const p = progressOf(line);
      return p !== undefined && p.phase === 'verify' && p.done >= verifyThreshold;
    });
    expect(hit, verifying.lines.join(' | ')).toBeDefined();
    kills.push(`verify (aimed at ${verifyThreshold} rows) after "${hit}"`);
    // …and one the moment it starts, before its first batch can commit.
    const early = startJob(script, definitionFile, database, keyEntry);
    await new Promise((r) => setTimeout(r, randomInt(20, 400)));
    early.child.kill('SIGKILL');
    await early.exit;
    kills.push('at start');

    const last = startJob(script, definitionFile, database, keyEntry);
    const exit = await last.exit;
    const resultLine = last.lines.find((l) => l.startsWith('result '));
    expect(exit.code, last.lines.join('\n')).toBe(0);
    const result = JSON.parse((resultLine as string).slice('result '.length));
    expect(result.outcome).toBe('done');
    expect(result.problems).toEqual([]);
    expect(result.rowsTotal).toBe(ROWS);
    expect(result.rowsDone).toBe(ROWS);
    expect(result.rowsVerified).toBe(ROWS);
    expect(result.rowsChanged).toBe(ROWS);
    // The early kill may land before the job row is even opened.
    expect(result.runs).toBeGreaterThanOrEqual(KILLS_REENCRYPT + 2);
    expect(result.runs).toBeLessThanOrEqual(KILLS_REENCRYPT + 3);
    expect(result.checksumAfter).toBe(result.checksumBefore);
    expect(result.checksumBefore).toBe(before.checksum);

    // Independently of the job: every row, byte for byte, and no field under an old key.
    const after = await records.verify(table);
    expect(after.rows).toBe(ROWS);
    expect(after.problems).toEqual([]);
    expect(after.checksum).toBe(before.checksum);
    for (const id of Object.keys(after.fieldsByKey)) expect(oldKeys.has(id)).toBe(false);
    const [count] = await database.exec(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM big_people',
    );
    expect(count).toEqual({ n: ROWS, d: ROWS });
    for (let start = 0; start < ROWS; start += 10_000) {
      const rows = await table.query(
        'SELECT id, tenant, email, ssn, profile FROM big_people WHERE id >= $1 AND id < $2 ORDER BY id',
        [start, start + 10_000],
      );
      expect(rows).toHaveLength(10_000);
      for (const row of rows) {
        const want = expected(Number(row.id));
        expect({ ...row, id: Number(row.id) }).toEqual(want);
      }
    }
    const [sample] = await database.exec('SELECT ssn FROM big_people WHERE id = 777');
    expect(oldKeys.has(parseFieldCiphertext(String(sample?.ssn)).keyId)).toBe(false);
    // Lookups work under the (unchanged) index key.
    const found = await table.findBy('email', 'person.4242@example.com', { tenant: 'tenant-2' });
    expect(found.map((r) => Number(r.id))).toEqual([4242]);

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`kill test: ${ROWS} rows, ${kills.length} kills (${kills.join('; ')}), ${seconds} s in all`);
  }, 300_000);
});
