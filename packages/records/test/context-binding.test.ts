import { CipherlayerError } from '@cipherlayer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { auditLog, openTestRecords, PEOPLE, PEOPLE_DDL } from './helpers/records-fixtures.js';

/**
 * The encryption context (table, column, row id, tenant) is authenticated
 * and not stored: a ciphertext copied to another row, column, table or tenant
 * fails with the generic ERR_DECRYPT, and the failure is audited.
 */
describe.each(DATABASES)('ciphertext moved elsewhere on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;
  const audit = auditLog();

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'binding');
    await database.exec(PEOPLE_DDL);
    await database.exec(
      'CREATE TABLE others (id bigint PRIMARY KEY, tenant text, email text, email_idx text, ssn text, profile text)',
    );
    // One key for everything: only the context can tell fields apart.
    records = await openTestRecords(database, { keyScope: 'global', audit: audit.hook });
    await records.table(PEOPLE).insertMany([
      { id: 1, tenant: 'acme', email: 'alice@example.com', ssn: '111-11-1111', profile: { vip: true } },
      { id: 2, tenant: 'acme', email: 'bob@example.com', ssn: '222-22-2222', profile: { vip: false } },
      { id: 3, tenant: 'globex', email: 'carol@example.com', ssn: '333-33-3333', profile: {} },
    ]);
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  async function readError(id: number, tenant: string): Promise<unknown> {
    return records
      .table(PEOPLE)
      .get({ id, tenant })
      .then(
        () => 'decrypted',
        (error: unknown) => error,
      );
  }

  it('reads intact rows', async () => {
    expect((await records.table(PEOPLE).get({ id: 1, tenant: 'acme' }))?.ssn).toBe('111-11-1111');
  });

  it('rejects a field copied to another row of the same tenant', async () => {
    await database.exec('UPDATE people SET ssn = (SELECT ssn FROM people WHERE id = 1) WHERE id = 2');
    const error = await readError(2, 'acme');
    expect(error).toBeInstanceOf(CipherlayerError);
    expect((error as CipherlayerError).code).toBe('ERR_DECRYPT');
    expect((error as CipherlayerError).message).toBe('decryption operation failed');
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        type: 'decrypt-failed',
        table: 'people',
        column: 'ssn',
        row: '2',
        tenant: 'acme',
        code: 'ERR_DECRYPT',
      }),
    );
  });

  it('rejects a field copied to another column of the same row', async () => {
    await database.exec('UPDATE people SET ssn = email WHERE id = 1');
    expect(((await readError(1, 'acme')) as CipherlayerError).code).toBe('ERR_DECRYPT');
  });

  it('rejects a field copied to another tenant', async () => {
    const [source] = await database.exec('SELECT id FROM people WHERE id = 3');
    expect(source).toBeDefined();
    await database.exec("UPDATE people SET tenant = 'acme' WHERE id = 3");
    expect(((await readError(3, 'acme')) as CipherlayerError).code).toBe('ERR_DECRYPT');
  });

  it('rejects a row copied to another table with the same columns', async () => {
    await database.exec(
      'INSERT INTO others SELECT id, tenant, email, email_idx, ssn, profile FROM people WHERE id = 1',
    );
    const others = records.table({ ...PEOPLE, table: 'others' });
    await expect(others.get({ id: 1, tenant: 'acme' })).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
  });

  it('rejects a direct decrypt under another context, and never returns the plaintext in the error', async () => {
    const context = { table: 'people', column: 'ssn', row: 1, tenant: 'acme' } as const;
    const sealed = await records.encrypt('999-99-9999', context);
    for (const other of [
      { ...context, row: 2 },
      { ...context, row: '01' },
      { ...context, column: 'email' },
      { ...context, table: 'others' },
      { ...context, tenant: 'acme ' },
      { table: 'people', column: 'ssn', row: 1 },
      { table: 'people', column: 'ssn', tenant: 'acme' },
    ]) {
      const error = await records.decrypt(sealed, other).catch((e: unknown) => e);
      expect((error as CipherlayerError).code).toBe('ERR_DECRYPT');
      expect(String((error as Error).message)).not.toContain('999');
    }
    expect(await records.decrypt(sealed, context)).toBe('999-99-9999');
  });
});
