import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';

/**
 * The package creates its own tables through numbered migrations: each runs
 * once, concurrent runs apply it once, and running again is a no-op.
 */
describe.each(DATABASES)('migrations on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'migrations');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('applies every migration once, even when several processes start together', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => migrate(database.db, database.schema)));
    expect(runs.flat().sort()).toEqual([1, 2]);
    expect(await migrate(database.db, database.schema)).toEqual([]);
    const rows = await database.exec('SELECT version, name FROM cipherlayer_migrations ORDER BY version');
    expect(rows).toEqual([
      { version: 1, name: 'keys table' },
      { version: 2, name: 'jobs table' },
    ]);
  });

  it('creates the keys table with its constraints: one active key per scope, counts within limits', async () => {
    const insert = (id: string, state: string, generation: number, count = 0) =>
      database.exec(
        `INSERT INTO cipherlayer_keys (id, purpose, scope, generation, state, keyring_id, kek_id, wrapped, message_count, message_limit)
         VALUES ($1, 'data', 'global', $2, $3, 'k', 'v', '\\x00', $4, 10)`,
        [id, generation, state, count],
      );
    await insert('0000000000000001', 'active', 1);
    await expect(insert('0000000000000002', 'active', 2)).rejects.toThrow();
    await expect(insert('0000000000000003', 'retiring', 3, 11)).rejects.toThrow();
    await expect(insert('not-hex', 'retiring', 4)).rejects.toThrow();
    await expect(insert('0000000000000004', 'destroyed', 4)).rejects.toThrow();
    await insert('0000000000000005', 'retiring', 5, 10);
  });
});
