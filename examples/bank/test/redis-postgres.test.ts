import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@cipherlayer/client';
import { LocalKeyring } from '@cipherlayer/records';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BankConfig, configFromEnvironment } from '../src/server/config.js';
import { DEMO_USERS, demoBalance } from '../src/server/seed.js';
import { type RunningBank, startBank } from '../src/server/start.js';
import { foundIn, moneyForms, spacedForms } from './helpers/secrets.js';

/**
 * The same bank, configured only through the environment variables of the
 * README, on the real Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432,
 * database test): two instances share both, so a cl1 session made at one
 * works at the other. API level, with @cipherlayer/client in Node; the
 * schema and the Redis prefix are unique to the run and removed after it.
 */
const packageDir = fileURLToPath(new URL('../', import.meta.url));
const REDIS_URL = 'redis://127.0.0.1:6379';
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');
const schema = `bank_test_${run}`;
const prefix = `bank-test-${run}:`;

const [alice, bob] = DEMO_USERS as [(typeof DEMO_USERS)[0], (typeof DEMO_USERS)[0]];
const current = alice.accounts[0]!;
const bobAccount = bob.accounts[0]!;

let work: string;
let config: BankConfig;
let first: RunningBank;
let second: RunningBank;
let redis: Redis;
let pool: pg.Pool;

/** One browser-like client: a cookie jar, requests sent to whichever instance `target` names, the wire kept. */
function bankClient() {
  let cookie: string | undefined;
  const wire: Buffer[] = [];
  const state = { target: '', handshakes: 0, wire };
  const transport: typeof fetch = async (input, init) => {
    const original = new Request(input, init);
    const url = new URL(original.url);
    const request = new Request(new URL(url.pathname + url.search, state.target), original);
    if (cookie !== undefined) request.headers.set('cookie', cookie);
    if (url.pathname === '/.well-known/cipherlayer/session' && request.method === 'POST') state.handshakes++;
    const headers: string[] = [];
    request.headers.forEach((value, name) => {
      headers.push(`${name}: ${value}`);
    });
    wire.push(Buffer.from(`${request.url}\n${headers.join('\n')}\n`));
    wire.push(Buffer.from(await request.clone().arrayBuffer()));
    const response = await fetch(request);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie !== null) cookie = /Max-Age=0/.test(setCookie) ? undefined : setCookie.split(';')[0];
    wire.push(Buffer.from(await response.clone().arrayBuffer()));
    return response;
  };
  // The client seals for the origin it was made with; the transport may deliver to another instance.
  const api = createClient({ baseUrl: 'http://bank.invalid', mode: 'session', fetch: transport });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api(path, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { state, call };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bank-redis-pg-'));
  const webDir = join(work, 'web');
  await mkdir(webDir);
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>bank</title>');
  config = {
    ...configFromEnvironment(
      {
        REDIS_URL,
        DATABASE_URL,
        CIPHERLAYER_MASTER_KEYS: LocalKeyring.generateKeyEntry('k1'),
        BANK_DB_SCHEMA: schema,
        BANK_REDIS_PREFIX: prefix,
        BANK_DATA_DIR: join(work, 'data'),
        BANK_WEB_DIR: webDir,
        PORT: '0',
      },
      packageDir,
    ),
  };
  first = await startBank(config);
  second = await startBank(config);
  redis = new Redis(REDIS_URL);
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
}, 180_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  if (redis !== undefined) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool?.end();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the bank on Redis and PostgreSQL', () => {
  it('says at startup that it uses them, and writes no PGlite folder', () => {
    expect(first.uses.sessions).toBe('Redis at 127.0.0.1:6379 (shared by every instance)');
    expect(first.uses.database).toBe(`PostgreSQL at 127.0.0.1:5432/test, schema ${schema}`);
    expect(first.uses.keyring).toBe('local keyring, master keys from CIPHERLAYER_MASTER_KEYS');
    expect(first.seeded).toBe(true);
    expect(second.seeded).toBe(false);
    expect(existsSync(join(config.dataDir, 'pglite'))).toBe(false);
  });

  it('serves one client from both instances on one cl1 session, with the rules of the bank', async () => {
    const { state, call } = bankClient();
    state.target = first.url;
    expect(await call('POST', '/api/login', { username: 'alice', password: 'not-it-2026' })).toEqual({
      status: 401,
      body: { problem: 'Wrong username or password.', field: 'password' },
    });
    const login = await call('POST', '/api/login', { username: 'Alice ', password: alice.password });
    expect(login.status).toBe(200);
    expect(login.body.name).toBe(alice.fullName);

    state.target = second.url; // the session and the login live in Redis and PostgreSQL, not in the first process
    const { body } = await call('GET', '/api/accounts');
    const accounts = body.accounts as { id: string; number: string; balance: number }[];
    expect(accounts.map((a) => [a.number, a.balance])).toEqual(
      alice.accounts.map((a) => [a.number, demoBalance(a)]),
    );
    const from = accounts[0]!.id;
    expect(
      await call('POST', '/api/transfers', { from, to: bobAccount.number.toLowerCase(), amount: '40.25' }),
    ).toMatchObject({
      status: 201,
      body: { transfer: { amount: 4025, from: { balance: demoBalance(current) - 4025 } } },
    });

    state.target = first.url;
    expect(await call('POST', '/api/transfers', { from, to: bobAccount.number, amount: '1000000' })).toEqual({
      status: 422,
      body: { problem: `Insufficient funds: ${current.name} does not hold that much.`, field: 'amount' },
    });
    expect(await call('PUT', '/api/profile', { email: 'a@b', phone: '1', nationalId: 'x' })).toEqual({
      status: 400,
      body: { problem: 'That email address does not look right (name@example.org).', field: 'email' },
    });
    const statement = await call('GET', `/api/accounts/${from}/statement`);
    expect((statement.body.entries as { amount: number; counterparty: string }[])[0]).toMatchObject({
      amount: -4025,
      counterparty: bobAccount.number,
    });
    expect(state.handshakes).toBe(1);

    const secrets = [
      ...spacedForms(current.number),
      ...spacedForms(bobAccount.number),
      ...moneyForms(demoBalance(current)),
      ...moneyForms(demoBalance(current) - 4025),
      ...spacedForms(alice.nationalId),
      alice.password,
    ];
    expect(foundIn(Buffer.concat(state.wire), secrets)).toEqual([]);
  });

  it('keeps Redis and PostgreSQL free of the plaintext', async () => {
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((key) => key.startsWith(`${prefix}cl1:session:`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${prefix}profiles:static-key:key:`))).toBe(true);
    const rows: unknown[] = [];
    for (const table of ['users', 'accounts', 'entries', 'logins', 'cipherlayer_keys'])
      rows.push(...(await pool.query(`SELECT * FROM ${schema}.${table}`)).rows);
    const secrets = [
      ...[current.number, bobAccount.number, alice.nationalId, alice.phone].flatMap(spacedForms),
      alice.fullName,
      alice.password,
    ];
    expect(foundIn(JSON.stringify(rows), secrets)).toEqual([]);
    const { rows: accounts } = await pool.query(`SELECT number, balance FROM ${schema}.accounts`);
    expect(accounts).toHaveLength(3);
    for (const account of accounts)
      expect(`${account.number} ${account.balance}`).toMatch(/^clr1\.\S+ clr1\.\S+$/);
  });
});
