import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords, PEOPLE, PEOPLE_DDL } from './helpers/records-fixtures.js';

/**
 * Index keys rotate like data keys, by generation: after rotateIndexKey new
 * writes use the new generation, lookups ask for both while old values
 * remain, the re-encryption job recomputes the old ones, and once the old
 * root is retired lookups ask for the new generation only.
 */
describe.each(DATABASES)('blind index key rotation on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'bidx_rot');
    await database.exec(PEOPLE_DDL);
    records = await openTestRecords(database);
    await records.table(PEOPLE).insertMany(
      Array.from({ length: 40 }, (_, i) => ({
        id: i,
        tenant: 'acme',
        email: `u${i}@example.com`,
        ssn: `${i}`,
        profile: null,
      })),
    );
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  const generations = async () =>
    (
      await database.exec(
        'SELECT split_part(email_idx, $1, 1) AS g, count(*)::int AS n FROM people GROUP BY 1 ORDER BY 1',
        ['.'],
      )
    ).map((r) => [r.g, r.n]);

  it('finds old and new rows while both generations are live', async () => {
    const people = records.table(PEOPLE);
    const [old] = await records.rotateIndexKey();
    expect(old?.generation).toBe(1);
    await people.insert({ id: 100, tenant: 'acme', email: 'new@example.com', ssn: 'n', profile: null });
    expect(await generations()).toEqual([
      ['1', 40],
      ['2', 1],
    ]);
    expect(await people.blindIndexValues('email', 'u3@example.com', { tenant: 'acme' })).toHaveLength(2);
    expect(
      (await people.findBy('email', 'u3@example.com', { tenant: 'acme' })).map((r) => Number(r.id)),
    ).toEqual([3]);
    expect(
      (await people.findBy('email', 'NEW@example.com', { tenant: 'acme' })).map((r) => Number(r.id)),
    ).toEqual([100]);
  });

  it('re-indexes old rows with the re-encryption job (no data key change needed)', async () => {
    const before = await database.exec('SELECT id, email, ssn FROM people ORDER BY id');
    const result = await records.reencrypt(records.table(PEOPLE), { name: 'reindex-1', batchSize: 16 }).run();
    expect(result).toMatchObject({ outcome: 'done', rowsChanged: 40, problems: [] });
    expect(await generations()).toEqual([['2', 41]]);
    // Ciphertexts are untouched: only the index column changed.
    expect(await database.exec('SELECT id, email, ssn FROM people ORDER BY id')).toEqual(before);
  });

  it('asks for the new generation only once the old root is retired', async () => {
    const people = records.table(PEOPLE);
    const retiring = await records.listKeys({ purpose: 'index', states: ['retiring'] });
    expect(await records.retireKeys(retiring.map((k) => k.id))).toHaveLength(1);
    expect(await people.blindIndexValues('email', 'u3@example.com', { tenant: 'acme' })).toHaveLength(1);
    expect(
      (await people.findBy('email', 'u3@example.com', { tenant: 'acme' })).map((r) => Number(r.id)),
    ).toEqual([3]);
  });

  it('reports stale index values when verifying', async () => {
    await database.exec("UPDATE people SET email_idx = '2.AAAAAA' WHERE id = 5");
    const report = await records.verify(records.table(PEOPLE));
    expect(report.problems).toEqual([{ row: '5', field: 'email', problem: 'blind index is not current' }]);
    expect(() => records.retireKeys([])).not.toThrow();
  });
});
