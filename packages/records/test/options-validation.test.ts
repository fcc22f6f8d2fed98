import { CipherlayerError } from '@cipherlayer/core';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecords, pgliteDatabase, type Records, type TableDefinition } from '../src/index.js';
import { testKeyring } from './helpers/records-fixtures.js';

/**
 * Options are checked once, when an object is made, and a mistake is an
 * ERR_CONFIG whose message names the option and what to change.
 */

let lite: PGlite;
let records: Records;

beforeAll(async () => {
  lite = new PGlite();
  records = await openRecords({ db: pgliteDatabase(lite), keyring: testKeyring() });
});
afterAll(async () => {
  await records?.close();
  await lite?.close();
});

function configMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CipherlayerError);
    expect((error as CipherlayerError).code).toBe('ERR_CONFIG');
    return (error as Error).message;
  }
  throw new Error('expected ERR_CONFIG');
}

describe('openRecords options', () => {
  const db = () => pgliteDatabase(lite);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'no db',
      { db: undefined, keyring: testKeyring() },
      /pass pgDatabase\(pool\) or pgliteDatabase\(pglite\)/,
    ],
    ['db not a database', { db: 'x' }, /db: pass pgDatabase/],
    ['no keyring', {}, /keyring: pass a Keyring/],
    ['keyring not a keyring', { keyring: {} }, /keyring: pass a Keyring/],
    ['typo', { keyring: testKeyring(), keyScop: 'table' }, /unknown option "keyScop"; the options are/],
    [
      'scope',
      { keyring: testKeyring(), keyScope: 'row' },
      /keyScope must be one of "global", "table", "tenant", "tenant-table"/,
    ],
    [
      'limit',
      { keyring: testKeyring(), messageLimit: 2 ** 33 },
      /messageLimit must be an integer from 1 to 4294967296/,
    ],
    [
      'block',
      { keyring: testKeyring(), messageLimit: 10, reserveBlock: 11 },
      /reserveBlock must be an integer from 1 to 10/,
    ],
    ['cache', { keyring: testKeyring(), cache: { maxAge: 1 } }, /cache: unknown option "maxAge"/],
    [
      'cache age',
      { keyring: testKeyring(), cache: { maxAgeMs: 0 } },
      /cache.maxAgeMs must be a positive number/,
    ],
    ['entries', { keyring: testKeyring(), cache: { maxEntries: 0 } }, /maxEntries must be an integer/],
    ['audit', { keyring: testKeyring(), audit: 'log' }, /audit must be a function/],
    ['migrate', { keyring: testKeyring(), migrate: 'yes' }, /migrate must be true or false/],
    ['schema', { keyring: testKeyring(), schema: '' }, /schema must be a non-empty string/],
  ];
  it.each(cases)('%s', async (_, options, message) => {
    await expect(openRecords({ db: db(), ...options } as never)).rejects.toThrow(message);
  });
  it('refuses something that is not an options object', async () => {
    await expect(openRecords(undefined as never)).rejects.toThrow(/needs options: \{ db, keyring \}/);
  });
});

describe('table definitions', () => {
  const base: TableDefinition = { table: 't', id: 'id', fields: { a: { type: 'string' } } };
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'users', /must be an object: \{ table, id, fields \}/],
    ['no fields', { ...base, fields: {} }, /fields must name at least one encrypted field/],
    [
      'bad type',
      { ...base, fields: { a: { type: 'text' } } },
      /fields.a.type must be one of "string", "number"/,
    ],
    [
      'bad storage',
      { ...base, fields: { a: { type: 'string', storage: 'blob' } } },
      /storage must be one of "text", "bytea"/,
    ],
    ['typo', { ...base, fields: { a: { type: 'string', blindindex: {} } } }, /unknown option "blindindex"/],
    ['field not an object', { ...base, fields: { a: 'string' } }, /fields.a must be an object/],
    [
      'bits',
      { ...base, fields: { a: { type: 'string', blindIndex: { key: 'a_idx', bits: 4 } } } },
      /bits must be an integer from 8 to 256/,
    ],
    [
      'step',
      { ...base, fields: { a: { type: 'string', blindIndex: { key: 'a_idx', normalize: ['casefold'] } } } },
      /unknown step "casefold"; the steps are trim, lowercase/,
    ],
    [
      'steps not a list',
      { ...base, fields: { a: { type: 'string', blindIndex: { key: 'a_idx', normalize: 'trim' } } } },
      /must be a list of steps/,
    ],
    [
      'perTenant without tenant',
      { ...base, fields: { a: { type: 'string', blindIndex: { key: 'a_idx', perTenant: true } } } },
      /perTenant needs a tenant column/,
    ],
    [
      'index not an object',
      { ...base, fields: { a: { type: 'string', blindIndex: 'a_idx' } } },
      /blindIndex must be an object/,
    ],
    [
      'column twice',
      { ...base, fields: { a: { type: 'string', column: 'id' } } },
      /the column "id" is used by the id and by field a/,
    ],
    ['key twice', { ...base, tenant: 'id' }, /the row key "id" is used twice/],
    ['id ref', { ...base, id: { key: 'id' } }, /id.column must be a non-empty string/],
    ['id kind', { ...base, id: 3 }, /id must be a row key, or \{ key, column \}/],
    ['bindRow', { ...base, bindRow: 'no' }, /bindRow must be true or false/],
    [
      'encryptNull',
      { ...base, fields: { a: { type: 'string', encryptNull: 1 } } },
      /encryptNull must be true or false/,
    ],
    ['long name', { ...base, table: 'x'.repeat(64) }, /is not a PostgreSQL identifier/],
  ];
  it.each(cases)('%s', (_, definition, message) => {
    expect(configMessage(() => records.table(definition as TableDefinition))).toMatch(message);
  });

  it('accepts a custom normalisation function, and says so when it returns something else', async () => {
    const table = records.table({
      ...base,
      fields: {
        a: { type: 'string', blindIndex: { key: 'a_idx', normalize: (v) => v.replaceAll('-', '') } },
      },
    });
    await lite.exec('CREATE TABLE t (id int PRIMARY KEY, a text, a_idx text)');
    await table.insert({ id: 1, a: '12-34' });
    expect((await table.findBy('a', '1234')).map((r) => r.id)).toEqual([1]);
    const broken = records.table({
      ...base,
      fields: { a: { type: 'string', blindIndex: { key: 'a_idx', normalize: (() => 5) as never } } },
    });
    await expect(broken.findBy('a', 'x')).rejects.toThrow(/the normalize function must return a string/);
  });

  it('needs the row id and tenant before encrypting a row', async () => {
    const tenants = records.table({ ...base, tenant: 'tenant' });
    await expect(tenants.encryptRow({ a: 'x', tenant: 'acme' })).rejects.toThrow(
      /"id" is needed before a row is encrypted/,
    );
    await expect(tenants.encryptRow({ id: 1, a: 'x' })).rejects.toThrow(/"tenant" is needed/);
    await expect(tenants.encryptRow({ id: {}, a: 'x', tenant: 'acme' })).rejects.toThrow(
      /row id must be a string, a number or a bigint/,
    );
    await expect(tenants.get({ id: 1 })).rejects.toThrow(/pass \{ id, tenant \}/);
    // Without row binding, a row id is not needed (ids assigned by the database).
    const unbound = records.table({ ...base, bindRow: false });
    expect((await unbound.encryptRow({ a: 'x' })).a).toMatch(/^clr1\./);
  });
});
