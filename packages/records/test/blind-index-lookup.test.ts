import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords, PEOPLE, PEOPLE_DDL } from './helpers/records-fixtures.js';

/**
 * Equality lookups on encrypted fields go through blind indexes: HMAC of the
 * normalised value under an index key (never the data key), truncated, and
 * filtered after decryption so a truncated index never returns a wrong row.
 */
describe.each(DATABASES)('blind index lookups on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'bidx');
    await database.exec(PEOPLE_DDL);
    await database.exec(
      'CREATE TABLE phones (id text PRIMARY KEY, phone text, phone_idx text, code text, code_idx text)',
    );
    records = await openTestRecords(database);
    await records.table(PEOPLE).insertMany([
      { id: 1, tenant: 'acme', email: 'Alice@Example.com', ssn: '1', profile: {}, note: 'a' },
      { id: 2, tenant: 'acme', email: 'bob@example.com', ssn: '2', profile: {} },
      { id: 3, tenant: 'globex', email: 'alice@example.com', ssn: '3', profile: {} },
      { id: 4, tenant: 'acme', email: null, ssn: '4', profile: null },
    ]);
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  it('finds a row by its encrypted email, after normalisation (NFKC, trim, case)', async () => {
    const people = records.table(PEOPLE);
    const found = await people.findBy('email', '  ALICE@example.COM ', { tenant: 'acme' });
    expect(found.map((r) => String(r.id))).toEqual(['1']);
    expect(found[0]?.email).toBe('Alice@Example.com');
    expect(found[0]?.note).toBe('a');
    // Full-width letters are NFKC-equal to ASCII ones.
    expect(await people.findBy('email', 'ａｌｉｃｅ@example.com', { tenant: 'acme' })).toHaveLength(1);
    expect(await people.findBy('email', 'carol@example.com', { tenant: 'acme' })).toEqual([]);
  });

  it('keeps tenants apart: the same value has another index in another tenant', async () => {
    const rows = await database.exec('SELECT tenant, email_idx FROM people WHERE id IN (1, 3) ORDER BY id');
    expect(rows[0]?.email_idx).not.toBe(rows[1]?.email_idx);
    const found = await records.table(PEOPLE).findBy('email', 'alice@example.com', { tenant: 'globex' });
    expect(found.map((r) => String(r.id))).toEqual(['3']);
  });

  it('stores index values as "<generation>.<base64url>" of the configured bits, and NULL for null', async () => {
    const rows = await database.exec('SELECT email_idx FROM people ORDER BY id');
    expect(rows[0]?.email_idx).toMatch(/^1\.[A-Za-z0-9_-]{6}$/); // 32 bits: 4 bytes
    expect(rows[3]?.email_idx).toBeNull();
  });

  it('normalises phone numbers to digits, and filters out the false positives of an 8-bit index', async () => {
    const phones = records.table({
      table: 'phones',
      id: 'id',
      fields: {
        phone: { type: 'string', blindIndex: { key: 'phone_idx', normalize: ['digits-only'], bits: 8 } },
        code: { type: 'string', blindIndex: { key: 'code_idx', bits: 256 } },
      },
    });
    const rows = Array.from({ length: 600 }, (_, i) => ({
      id: `p${i}`,
      phone: `+1 (555) 01${String(i).padStart(3, '0')}`,
      code: `C-${i}`,
    }));
    await phones.insertMany(rows);
    // 600 values in 256 buckets: some bucket holds several rows (pigeonhole); a lookup of one of them returns just it.
    const [shared] = await database.exec(
      `SELECT min(id) AS id, count(*)::int AS n FROM phones GROUP BY phone_idx HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 1`,
    );
    expect(Number(shared?.n)).toBeGreaterThan(1);
    const i = Number(String(shared?.id).slice(1));
    const typed = `1-555-01-${String(i).padStart(3, '0')}`;
    const found = await phones.findBy('phone', typed);
    expect(found.map((r) => r.id)).toEqual([shared?.id]);
    // A full 256-bit index: 43 base64url characters after the generation.
    const [full] = await database.exec("SELECT code_idx FROM phones WHERE id = 'p1'");
    expect(full?.code_idx).toMatch(/^1\.[A-Za-z0-9_-]{43}$/);
    expect((await phones.findBy('code', 'C-7')).map((r) => r.id)).toEqual(['p7']);
  });

  it('is not the data key: an index value does not change when the data key rotates', async () => {
    const [before] = await database.exec('SELECT email_idx FROM people WHERE id = 2');
    await records.rotateDataKeys();
    await records.table(PEOPLE).update({ id: 2, tenant: 'acme' }, { email: 'bob@example.com' });
    const [after] = await database.exec('SELECT email_idx FROM people WHERE id = 2');
    expect(after?.email_idx).toBe(before?.email_idx);
  });

  it('needs the tenant for a lookup on a tenant table, and a blind index on the field', async () => {
    const people = records.table(PEOPLE);
    await expect(people.findBy('email', 'x')).rejects.toThrow(/a lookup needs \{ tenant \}/);
    await expect(people.findBy('ssn', 'x', { tenant: 'acme' })).rejects.toThrow(/has no blind index/);
  });
});
