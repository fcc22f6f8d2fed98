import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records, Row, SqlClient, TableDefinition } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords } from './helpers/records-fixtures.js';

/**
 * insertMany's two statement shapes: one array per column through unnest()
 * (the default) and multi-row VALUES. Both write the same rows: every field
 * type, nulls, plaintext columns of other SQL types, blind indexes; a table
 * with an array-typed column falls back to VALUES; many rows go out over
 * several pipelined statements.
 */

const MIXED: TableDefinition = {
  table: 'mixed',
  id: 'id',
  tenant: 'tenant',
  fields: {
    email: { type: 'string', blindIndex: { key: 'email_idx', normalize: ['trim', 'lowercase'] } },
    n: { type: 'number' },
    profile: { type: 'json' },
    scan: { type: 'bytes', storage: 'bytea' },
    big: { type: 'bigint' },
  },
};

const ROWS: Row[] = [
  {
    id: 1,
    tenant: 'acme',
    email: 'Ann@Example.org',
    n: 42.5,
    profile: { tags: ['vip', 'a"b\\c'], nested: { ok: true } },
    scan: new Uint8Array([0, 1, 2, 255]),
    big: 2n ** 70n,
    note: 'plain, with "quotes", {braces} and a \\ backslash',
    meta: { plain: [1, 2] },
    created: new Date('2024-02-29T12:34:56.789Z'),
  },
  {
    id: 2,
    tenant: 'acme',
    email: null,
    n: Number.NaN,
    profile: 'NULL',
    scan: null,
    big: null,
    note: null,
    meta: null,
    created: null,
  },
  {
    id: 3,
    tenant: 'globex',
    email: 'ünïcødé@example.org',
    n: -0,
    profile: null,
    scan: new Uint8Array(0),
    big: -1n,
    note: 'NULL',
    meta: { s: 'x' },
    created: new Date(0),
  },
];

/** A client that runs on the database and remembers each statement and its parameter count. */
function recording(target: SqlClient): SqlClient & { statements: { sql: string; params: number }[] } {
  const statements: { sql: string; params: number }[] = [];
  return {
    statements,
    query(sql, params) {
      statements.push({ sql, params: params?.length ?? 0 });
      return target.query(sql, params);
    },
  };
}

describe.each(DATABASES)('insertMany statements on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'insert_many');
    for (const name of ['mixed', 'mixed_values'])
      await database.exec(
        `CREATE TABLE ${name} (id bigint PRIMARY KEY, tenant text NOT NULL, email text, email_idx text, n text,
          profile text, scan bytea, big text, note text, meta jsonb, created timestamptz)`,
      );
    await database.exec(
      'CREATE TABLE tagged (id integer PRIMARY KEY, secret text, labels text[], grid integer[][])',
    );
    records = await openTestRecords(database);
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  async function readBack(table: string): Promise<Row[]> {
    const t = records.table({ ...MIXED, table });
    const out: Row[] = [];
    for (const row of ROWS)
      out.push((await t.get({ id: row.id as number, tenant: row.tenant as string })) ?? {});
    return out;
  }

  // pg returns bigint columns as strings; PGlite as numbers.
  const expected = (row: Row) => ({ ...row, id: kind === 'PostgreSQL' ? String(row.id) : row.id });

  it('writes every type and null through unnest(), one array per column', async () => {
    const client = recording(database.db);
    await records.table(MIXED).insertMany(ROWS, { client });
    const inserts = client.statements.filter((s) => s.sql.startsWith('INSERT'));
    expect(inserts).toHaveLength(1);
    expect(inserts[0]?.sql).toMatch(/SELECT \* FROM unnest\(\$1::bigint\[\], \$2::text\[\]/);
    expect(inserts[0]?.params).toBe(Object.keys(ROWS[0] as Row).length + 1); // + the blind index column

    const stored = await database.exec('SELECT * FROM mixed ORDER BY id');
    expect(JSON.stringify(stored)).not.toContain('Ann@Example.org');
    expect(String(stored[0]?.email)).toMatch(/^clr1\./);
    expect(stored[0]?.meta).toEqual({ plain: [1, 2] });
    expect(stored[1]?.email).toBeNull();
    expect(stored[1]?.email_idx).toBeNull();
    expect(stored[1]?.note).toBeNull();
    expect(stored[2]?.note).toBe('NULL');

    const back = await readBack('mixed');
    expect(back).toEqual(ROWS.map(expected));
    const found = await records.table(MIXED).findBy('email', ' ann@example.org', { tenant: 'acme' });
    expect(found.map((r) => String(r.id))).toEqual(['1']);
    expect(await records.table(MIXED).findBy('email', 'ann@example.org', { tenant: 'globex' })).toEqual([]);
  });

  it('writes the same rows through multi-row VALUES when asked', async () => {
    const table = records.table({ ...MIXED, table: 'mixed_values' });
    const client = recording(database.db);
    await table.insertMany(ROWS, { client, statement: 'values' });
    const inserts = client.statements.filter((s) => s.sql.startsWith('INSERT'));
    expect(inserts[0]?.sql).toMatch(/ VALUES \(\$1, /);
    expect(inserts[0]?.params).toBe(ROWS.length * (Object.keys(ROWS[0] as Row).length + 1));
    const back = await readBack('mixed_values');
    expect(back).toEqual(ROWS.map(expected));
    expect((await table.findBy('email', 'ANN@example.org', { tenant: 'acme' }))[0]?.note).toBe(ROWS[0]?.note);
  });

  it('falls back to VALUES for a table with array-typed columns', async () => {
    const table = records.table({ table: 'tagged', id: 'id', fields: { secret: { type: 'string' } } });
    const client = recording(database.db);
    await table.insertMany(
      [
        {
          id: 1,
          secret: 's1',
          labels: ['a', 'b,c'],
          grid: [
            [1, 2],
            [3, 4],
          ],
        },
        { id: 2, secret: null, labels: null, grid: null },
      ],
      { client },
    );
    expect(client.statements.filter((s) => s.sql.startsWith('INSERT'))[0]?.sql).toMatch(/ VALUES /);
    const [first] = await database.exec('SELECT labels, grid FROM tagged WHERE id = 1');
    expect(first?.labels).toEqual(['a', 'b,c']);
    expect(first?.grid).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect((await table.get({ id: 1 }))?.secret).toBe('s1');
    expect((await table.get({ id: 2 }))?.secret).toBeNull();
  });

  it('sends many rows over several statements, each row once', async () => {
    await database.exec('CREATE TABLE bulk (LIKE mixed INCLUDING ALL)');
    const table = records.table({ ...MIXED, table: 'bulk' });
    const rows = Array.from({ length: 503 }, (_, i) => ({
      id: i + 1,
      tenant: `t${i % 3}`,
      email: `user${i}@example.org`,
      n: i,
      note: `note ${i}`,
    }));
    const client = recording(database.db);
    await table.insertMany(rows, { client, chunkSize: 100 });
    expect(client.statements.filter((s) => s.sql.startsWith('INSERT'))).toHaveLength(6);
    const [count] = await database.exec(
      'SELECT count(*)::int AS n, count(DISTINCT email)::int AS d FROM bulk',
    );
    expect(count).toEqual({ n: 503, d: 503 });
    const some = await table.get({ id: 377, tenant: 't1' }); // row 376: 376 % 3 = 1
    expect(some?.email).toBe('user376@example.org');
    expect(some?.n).toBe(376);
    expect(
      (await table.findBy('email', 'USER502@example.org', { tenant: 't1' })).map((r) => String(r.id)),
    ).toEqual(['503']);
  });

  it('rejects a row key that is not a column, with the database error', async () => {
    const table = records.table({ ...MIXED, table: 'mixed' });
    await expect(
      table.insertMany([{ id: 50, tenant: 'acme', email: 'x@example.org', nope: 1 }]),
    ).rejects.toThrow(/nope/);
    expect(await database.exec('SELECT id FROM mixed WHERE id = 50')).toEqual([]);
  });
});
