import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSealedField, type Records, type TableDefinition } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords } from './helpers/records-fixtures.js';

/**
 * Every supported type goes in encrypted and comes out equal, in text and in
 * bytea columns, on PostgreSQL and on PGlite. Null stays SQL NULL unless the
 * field encrypts nulls.
 */

const KINDS: TableDefinition = {
  table: 'kinds',
  id: 'id',
  fields: {
    s: { type: 'string' },
    n: { type: 'number' },
    b: { type: 'boolean' },
    j: { type: 'json' },
    raw: { type: 'bytes', storage: 'bytea' },
    big: { type: 'bigint' },
    at: { type: 'date' },
    hidden: { type: 'string', encryptNull: true },
  },
};

const VALUES = [
  {
    id: 1,
    s: 'alice@example.com',
    n: 42.5,
    b: true,
    j: { a: [1, 'two', null], nested: { ok: false } },
    raw: new Uint8Array([0, 1, 2, 255]),
    big: 2n ** 70n,
    at: new Date('2024-02-29T12:34:56.789Z'),
    hidden: 'x',
  },
  {
    id: 2,
    s: '',
    n: -0,
    b: false,
    j: 'just a string',
    raw: new Uint8Array(0),
    big: -1n,
    at: new Date(0),
    hidden: null,
  },
  { id: 3, s: 'ünïcødé ✓ 𝄞', n: Number.NaN, b: null, j: [], raw: null, big: null, at: null, hidden: '' },
  {
    id: 4,
    s: null,
    n: 1e308,
    b: null,
    j: null,
    raw: new Uint8Array(4096).fill(7),
    big: 0n,
    at: null,
    hidden: null,
  },
];

describe.each(DATABASES)('field round trip on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'round_trip');
    await database.exec(
      `CREATE TABLE kinds (id bigint PRIMARY KEY, s text, n text, b text, j text, raw bytea, big text, at text, hidden text)`,
    );
    records = await openTestRecords(database);
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  it('stores ciphertext only, and reads back every value with its type', async () => {
    const table = records.table(KINDS);
    await table.insertMany(VALUES);

    const stored = await database.exec('SELECT * FROM kinds ORDER BY id');
    for (const row of stored) {
      for (const column of ['s', 'n', 'b', 'j', 'big', 'at', 'hidden']) {
        const value = row[column];
        if (value !== null) expect(String(value)).toMatch(/^clr1\.[A-Za-z0-9_-]+$/);
      }
      if (row.raw !== null) expect(isSealedField(row.raw)).toBe(true);
    }
    expect(JSON.stringify(stored)).not.toContain('alice@example.com');

    for (const expected of VALUES) {
      const row = await table.get({ id: expected.id });
      expect(row).toEqual({ ...expected, id: kind === 'PostgreSQL' ? String(expected.id) : expected.id });
    }
  });

  it('keeps null as SQL NULL, except in a field that encrypts nulls', async () => {
    const [row] = await database.exec('SELECT s, raw, hidden FROM kinds WHERE id = 4');
    expect(row?.s).toBeNull();
    expect(String(row?.hidden)).toMatch(/^clr1\./);
    const [empty] = await database.exec('SELECT hidden FROM kinds WHERE id = 3');
    // '' and null are both encrypted, and differ after decryption.
    expect(String(empty?.hidden)).toMatch(/^clr1\./);
    expect((await records.table(KINDS).get({ id: 4 }))?.hidden).toBeNull();
    expect((await records.table(KINDS).get({ id: 3 }))?.hidden).toBe('');
  });

  it('encrypts single fields directly, in both forms', async () => {
    const context = { table: 'kinds', column: 's', row: 9, tenant: 'acme' };
    const text = await records.encrypt('short', context);
    const bytes = await records.encryptToBytes({ deep: [1, 2, 3] }, context);
    expect(text).toMatch(/^clr1\./);
    expect(await records.decrypt(text, context)).toBe('short');
    expect(await records.decrypt(bytes, context)).toEqual({ deep: [1, 2, 3] });
    expect(await records.decrypt(null, context)).toBeNull();
    expect(await records.encrypt(null, context)).toBeNull();
    // Two encryptions of one value differ (fresh nonce), and both decrypt.
    expect(await records.encrypt('short', context)).not.toBe(text);
  });

  it('updates encrypted fields in place', async () => {
    const table = records.table(KINDS);
    expect(await table.update({ id: 2 }, { s: 'changed', n: 7 })).toBe(1);
    const row = await table.get({ id: 2 });
    expect(row?.s).toBe('changed');
    expect(row?.n).toBe(7);
    expect(await table.get({ id: 99 })).toBeUndefined();
  });

  it('refuses a value of another type than the field declares, without showing the value', async () => {
    const table = records.table(KINDS);
    await expect(table.insert({ id: 10, n: 'secret-number' })).rejects.toThrow(
      /kinds\.n is declared as number but the value is not a number/,
    );
    await expect(table.insert({ id: 10, n: 'secret-number' })).rejects.not.toThrow(/secret-number/);
  });
});
