import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobProgress, parseFieldCiphertext, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords, PEOPLE, PEOPLE_DDL } from './helpers/records-fixtures.js';

/**
 * The re-encryption job moves every field off retiring data keys in
 * batches: stopped in the middle it resumes where it stopped, run again when
 * done it does nothing, and it ends by verifying every row (decrypts, no
 * field under a retiring key, checksum of plaintexts unchanged). What it
 * cannot fix it reports, by row and field.
 */

const ROWS = 500;

describe.each(DATABASES)('re-encryption job on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'reencrypt');
    await database.exec(PEOPLE_DDL);
    records = await openTestRecords(database, { keyScope: 'tenant-table' });
    await records.table(PEOPLE).insertMany(
      Array.from({ length: ROWS }, (_, i) => ({
        id: i + 1,
        tenant: `t${i % 4}`,
        email: i % 10 === 0 ? null : `person${i}@example.com`,
        ssn: `${100_000 + i}`,
        profile: { n: i, tags: ['a', 'b'] },
        note: `plain ${i}`,
      })),
    );
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  const fieldKeys = async () => {
    const rows = await database.exec('SELECT email, ssn, profile FROM people');
    const ids = new Set<string>();
    for (const row of rows)
      for (const v of Object.values(row)) if (v !== null) ids.add(parseFieldCiphertext(String(v)).keyId);
    return ids;
  };

  it('stops between batches, resumes where it stopped, and verifies', async () => {
    const people = records.table(PEOPLE);
    const before = await records.verify(people);
    expect(before.rows).toBe(ROWS);
    const oldKeys = await fieldKeys();
    expect(oldKeys.size).toBe(4);

    const rotated = await records.rotateDataKeys();
    expect(rotated.map((k) => k.id).sort()).toEqual([...oldKeys].sort());

    const stop = new AbortController();
    const seen: JobProgress[] = [];
    const first = await records
      .reencrypt(people, {
        name: 'rotate-1',
        batchSize: 60,
        signal: stop.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.rowsDone >= 180) stop.abort();
        },
      })
      .run();
    expect(first.outcome).toBe('stopped');
    // Stopped after the batch that saw the signal, and the one already in flight when the pool overlaps two.
    expect([180, 240]).toContain(first.rowsDone);
    expect(first.rowsChanged).toBe(first.rowsDone);
    expect(seen.map((p) => p.rowsDone)).toEqual([60, 120, 180, 240].slice(0, first.rowsDone / 60));
    expect(seen.every((p) => p.phase === 'reencrypt' && p.rowsTotal === ROWS)).toBe(true);

    const progress: JobProgress[] = [];
    const second = await records
      .reencrypt(people, { name: 'rotate-1', batchSize: 60, onProgress: (p) => progress.push(p) })
      .run();
    expect(second.outcome).toBe('done');
    expect(second.runs).toBe(2);
    expect(second.rowsDone).toBe(ROWS);
    expect(second.rowsChanged).toBe(ROWS);
    expect(second.rowsVerified).toBe(ROWS);
    expect(second.problems).toEqual([]);
    expect(second.checksumAfter).toBe(second.checksumBefore);
    expect(second.checksumAfter).toBe(before.checksum);
    expect(progress[0]?.rowsDone).toBe(first.rowsDone + 60);
    expect(progress.at(-1)).toMatchObject({ phase: 'verify', rowsDone: ROWS });
    expect(progress.every((p) => p.rowsPerSecond >= 0)).toBe(true);

    const newKeys = await fieldKeys();
    for (const id of newKeys) expect(oldKeys.has(id)).toBe(false);
    const after = await records.verify(people);
    expect(after.problems).toEqual([]);
    expect(after.checksum).toBe(before.checksum);
    expect(Object.keys(after.fieldsByKey).sort()).toEqual([...newKeys].sort());
    // The plaintext columns and the values are as they were.
    expect(await people.get({ id: 42, tenant: 't1' })).toMatchObject({ ssn: '100041', note: 'plain 41' });
  });

  it('does nothing when run again once done', async () => {
    const snapshot = await database.exec('SELECT * FROM people ORDER BY id');
    const again = await records.reencrypt(records.table(PEOPLE), { name: 'rotate-1' }).run();
    expect(again.outcome).toBe('done');
    expect(again.runs).toBe(3);
    expect(await database.exec('SELECT * FROM people ORDER BY id')).toEqual(snapshot);
  });

  it('retires the old keys once no field uses them', async () => {
    const retiring = await records.listKeys({ purpose: 'data', states: ['retiring'] });
    const retired = await records.retireKeys(retiring.map((k) => k.id));
    expect(retired).toHaveLength(4);
    expect(await records.table(PEOPLE).get({ id: 3, tenant: 't2' })).toMatchObject({
      email: 'person2@example.com',
    });
  });

  it('fails verification, by row and field, when fields stay under a key it was told to leave', async () => {
    const active = (await records.listKeys({ purpose: 'data', states: ['active'] })).map((k) => k.id);
    // Told to move off the active keys without rotating them: re-encryption lands on the same keys.
    const result = await records
      .reencrypt(records.table(PEOPLE), { name: 'impossible', fromKeys: active })
      .run();
    expect(result.outcome).toBe('failed');
    expect(result.problems[0]).toMatchObject({ row: '1', field: 'ssn' });
    expect(result.problems[0]?.problem).toMatch(/^still under data key [0-9a-f]{16}$/);
    const status = await records.reencrypt(records.table(PEOPLE), { name: 'impossible' }).status();
    expect(status?.phase).toBe('failed');
  });

  it('reports a row whose field does not decrypt, and carries on with the others', async () => {
    await database.exec('UPDATE people SET ssn = (SELECT ssn FROM people WHERE id = 2) WHERE id = 7');
    await records.rotateDataKeys({ tenant: 't2', table: 'people' });
    const result = await records.reencrypt(records.table(PEOPLE), { name: 'rotate-2' }).run();
    expect(result.outcome).toBe('failed');
    expect(result.problems).toEqual([{ row: '7', field: 'ssn', problem: 'does not decrypt (ERR_DECRYPT)' }]);
    expect(result.rowsChanged).toBe(ROWS / 4);
  });

  it('refuses to resume a job with another table definition', async () => {
    const other = records.table({ ...PEOPLE, fields: { ssn: { type: 'string' } } });
    await expect(records.reencrypt(other, { name: 'rotate-1' }).run()).rejects.toThrow(
      /give this run another name/,
    );
    expect(() => records.reencrypt(other, { name: '' })).toThrow(/name must be a non-empty string/);
    expect(() => records.reencrypt(other, { name: 'x', batchSize: 0 })).toThrow(
      /batchSize must be an integer/,
    );
    expect(() => records.reencrypt(other, { name: 'x', fromKeys: ['nope'] })).toThrow(/16 hex digits/);
    expect(() => records.reencrypt(other, { name: 'x', reindex: 'yes' as never })).toThrow(
      /reindex must be true or false/,
    );
  });
});
