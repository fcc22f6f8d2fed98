import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyring, MultiKeyring, openRecords, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { auditLog, PEOPLE, PEOPLE_DDL } from './helpers/records-fixtures.js';

/**
 * KEK rotation re-wraps data keys and index keys only (seed 003's point of
 * envelope encryption): no field is read or written, the stored ciphertexts
 * stay byte for byte the same, and afterwards the old KEK can be removed.
 */

const kek = (id: string) => ({ id, key: new Uint8Array(randomBytes(32)) });

describe.each(DATABASES)('KEK rotation on %s', (kind) => {
  let database: TestDatabase;
  const k1 = kek('k1');
  const k2 = kek('k2');
  const opened: Records[] = [];

  async function open(keyring: LocalKeyring | MultiKeyring, audit = auditLog()) {
    const records = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring,
      audit: audit.hook,
    });
    opened.push(records);
    return records;
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'kek_rotation');
    await database.exec(PEOPLE_DDL);
    const records = await open(new LocalKeyring({ name: 'app', keys: [k1] }));
    await records.table(PEOPLE).insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        id: i,
        tenant: `t${i % 3}`,
        email: `user${i}@example.com`,
        ssn: `${i}`,
        profile: { i },
      })),
    );
  });
  afterAll(async () => {
    for (const r of opened) await r.close();
    await database?.close();
  });

  it('re-wraps every key under the new KEK without touching a field', async () => {
    const before = await database.exec('SELECT * FROM people ORDER BY id');
    const audit = auditLog();
    const records = await open(new LocalKeyring({ name: 'app', keys: [k2, k1] }), audit);
    const keysBefore = await records.listKeys();
    expect(keysBefore.length).toBe(4); // three tenants' data keys and the index root
    expect(new Set(keysBefore.map((k) => k.wrapped.kekId))).toEqual(new Set(['k1']));

    const result = await records.rotateKek({ batchSize: 2 });
    expect(result).toEqual({ rewrapped: 4, failed: [] });
    const keysAfter = await records.listKeys();
    expect(new Set(keysAfter.map((k) => k.wrapped.kekId))).toEqual(new Set(['k2']));
    expect(keysAfter.every((k) => k.rewrappedAt instanceof Date)).toBe(true);
    expect(audit.events.filter((e) => e.type === 'rewrap')).toHaveLength(4);
    expect(audit.events.some((e) => e.type === 'wrap')).toBe(false);

    const after = await database.exec('SELECT * FROM people ORDER BY id');
    expect(after).toEqual(before);
    // Running it again finds nothing to do.
    expect(await records.rotateKek()).toEqual({ rewrapped: 0, failed: [] });
  });

  it('reads every row with the new KEK alone, the old one removed', async () => {
    const records = await open(new LocalKeyring({ name: 'app', keys: [k2] }));
    const people = records.table(PEOPLE);
    for (let i = 0; i < 30; i++) expect((await people.get({ id: i, tenant: `t${i % 3}` }))?.ssn).toBe(`${i}`);
    expect(
      (await people.findBy('email', 'USER7@example.com', { tenant: 't1' })).map((r) => String(r.id)),
    ).toEqual(['7']);
  });

  it('moves keys to another keyring through a MultiKeyring with decryptOnly', async () => {
    const next = new LocalKeyring({ name: 'next', keys: [kek('n1')] });
    const moving = await open(
      new MultiKeyring({ keyrings: [next], decryptOnly: [new LocalKeyring({ name: 'app', keys: [k2] })] }),
    );
    const result = await moving.rotateKek();
    expect(result.rewrapped).toBe(4);
    const keys = await moving.listKeys();
    expect(new Set(keys.map((k) => k.wrapped.keyringId))).toEqual(new Set(['multi(local:next)']));
    const records = await open(new MultiKeyring([next]));
    expect((await records.table(PEOPLE).get({ id: 5, tenant: 't2' }))?.email).toBe('user5@example.com');
  });

  it('reports keys it cannot re-wrap, and re-wraps the others', async () => {
    const records = await open(new LocalKeyring({ name: 'elsewhere', keys: [kek('z1')] }));
    const result = await records.rotateKek();
    expect(result.rewrapped).toBe(0);
    expect(result.failed).toHaveLength(4);
    expect(result.failed[0]?.code).toBe('ERR_UNKNOWN_KEY');
  });
});
