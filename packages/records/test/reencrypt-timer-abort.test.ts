import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords, PEOPLE, PEOPLE_DDL } from './helpers/records-fixtures.js';

/**
 * A job gives the event loop a turn between batches, so a stop requested by
 * a timer or a signal handler (Ctrl-C in the CLI) is seen at the next batch,
 * even on PGlite, which answers without any I/O.
 */

const ROWS = 400;

describe.each(DATABASES)('a re-encryption job stopped by a timer on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'reencrypt_timer');
    await database.exec(PEOPLE_DDL);
    records = await openTestRecords(database, { keyScope: 'tenant-table' });
    await records.table(PEOPLE).insertMany(
      Array.from({ length: ROWS }, (_, i) => ({
        id: i + 1,
        tenant: `t${i % 2}`,
        email: `person${i}@example.com`,
        ssn: `${200_000 + i}`,
        profile: { n: i },
        note: `plain ${i}`,
      })),
    );
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  it('stops at the batch after the timer fired, and a later run finishes the job', async () => {
    const people = records.table(PEOPLE);
    await records.rotateDataKeys();
    const stop = new AbortController();
    setImmediate(() => stop.abort());
    const first = await records
      .reencrypt(people, { name: 'timer', batchSize: 20, signal: stop.signal })
      .run();
    expect(first.outcome).toBe('stopped');
    expect(first.rowsDone).toBeLessThan(ROWS);
    const second = await records.reencrypt(people, { name: 'timer', batchSize: 20 }).run();
    expect(second.outcome).toBe('done');
    expect(second.rowsDone).toBe(ROWS);
    expect(second.problems).toEqual([]);
  });
});
