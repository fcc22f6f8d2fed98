import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyScopePolicy, openRecords, parseFieldCiphertext, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { testKeyring } from './helpers/records-fixtures.js';

/**
 * Which fields share a data key is configurable: one global key, one per
 * table, one per tenant (the default), or one per tenant and table. Tables
 * without tenants share the table (or global) key under the tenant policies.
 * rotateDataKeys can be limited to the scopes of one tenant or table.
 */

const contexts = [
  { table: 'users', column: 'email', row: 1, tenant: 'acme' },
  { table: 'users', column: 'ssn', row: 1, tenant: 'acme' },
  { table: 'orders', column: 'card', row: 1, tenant: 'acme' },
  { table: 'users', column: 'email', row: 2, tenant: 'globex' },
  { table: 'audit', column: 'body', row: 3 },
] as const;

const expectedGroups: Record<KeyScopePolicy, number[]> = {
  global: [0, 0, 0, 0, 0],
  table: [0, 0, 1, 0, 2],
  tenant: [0, 0, 0, 1, 2],
  'tenant-table': [0, 0, 1, 2, 3],
};

describe.each(DATABASES)('data key scopes on %s', (kind) => {
  let database: TestDatabase;
  const opened: Records[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'scopes');
  });
  afterAll(async () => {
    for (const r of opened) await r.close();
    await database?.close();
  });

  it.each(Object.keys(expectedGroups) as KeyScopePolicy[])('groups fields by "%s"', async (policy) => {
    const schema = `${database.schema}`;
    await database.exec('DELETE FROM cipherlayer_keys').catch(() => undefined);
    const records = await openRecords({ db: database.db, schema, keyring: testKeyring(), keyScope: policy });
    opened.push(records);
    const ids: string[] = [];
    for (const context of contexts)
      ids.push(parseFieldCiphertext((await records.encrypt('v', context)) as string).keyId);
    const order = [...new Set(ids)];
    expect(ids.map((id) => order.indexOf(id))).toEqual(expectedGroups[policy]);
  });

  it('rotates only the scopes asked for, and explains a filter the policy cannot apply', async () => {
    await database.exec('DELETE FROM cipherlayer_keys');
    const records = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: testKeyring(),
      keyScope: 'tenant-table',
    });
    opened.push(records);
    for (const context of contexts) await records.encrypt('v', context);
    expect((await records.rotateDataKeys({ tenant: 'acme' })).map((k) => k.scope).sort()).toEqual([
      'tenant=acme;table=orders',
      'tenant=acme;table=users',
    ]);
    expect((await records.rotateDataKeys({ table: 'users' })).map((k) => k.scope)).toEqual([
      'tenant=globex;table=users',
    ]);
    expect((await records.rotateDataKeys()).map((k) => k.scope)).toEqual(['table=audit']);

    const tenantOnly = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: testKeyring(),
      keyScope: 'tenant',
      migrate: false,
    });
    opened.push(tenantOnly);
    await expect(tenantOnly.rotateDataKeys({ table: 'users' })).rejects.toThrow(
      /data keys are scoped "tenant", so filter only by tenant/,
    );
  });
});
