import { CipherlayerError } from '@cipherlayer/core';
import { eq, inArray } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedBytes, encryptedText, type SealedText } from '../src/drizzle.js';
import type { EncryptedTable, Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords } from './helpers/records-fixtures.js';

/**
 * Drizzle ORM: encryptedText/encryptedBytes columns hold field ciphertext
 * only (typed SealedText; plaintext refused at run time with
 * ERR_PLAINTEXT_REJECTED). Rows are encrypted before Drizzle writes them and
 * decrypted after it reads them, with the same definition as the pg helper,
 * keyed by Drizzle's property names.
 */

const patients = pgTable('patients', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  tenantId: text('tenant_id').notNull(),
  email: encryptedText('email'),
  emailIndex: text('email_index'),
  diagnosis: encryptedText('diagnosis'),
  scan: encryptedBytes('scan'),
  ward: text('ward'),
});

type Patient = typeof patients.$inferSelect;

describe.each(DATABASES)('Drizzle column type on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;
  let crypto: EncryptedTable;
  let db: ReturnType<typeof drizzlePglite> | ReturnType<typeof drizzleNodePg>;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'drizzle');
    await database.exec(
      `CREATE TABLE patients (id bigint PRIMARY KEY, tenant_id text NOT NULL, email text, email_index text,
        diagnosis text, scan bytea, ward text)`,
    );
    records = await openTestRecords(database);
    db =
      database.native.kind === 'pg'
        ? drizzleNodePg(database.native.pool)
        : drizzlePglite(database.native.lite);
    // The same definition as for the pg helper: keys are Drizzle's property names, columns its SQL names.
    crypto = records.table({
      table: 'patients',
      id: 'id',
      tenant: { key: 'tenantId', column: 'tenant_id' },
      fields: {
        email: {
          type: 'string',
          blindIndex: { key: 'emailIndex', column: 'email_index', normalize: ['trim', 'lowercase'] },
        },
        diagnosis: { type: 'json' },
        scan: { type: 'bytes', storage: 'bytea' },
      },
    });
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  it('writes encrypted rows through Drizzle and reads them back', async () => {
    const rows = [
      {
        id: 1,
        tenantId: 'clinic-a',
        email: 'ann@example.org',
        diagnosis: { code: 'J45', note: 'asthma' },
        scan: new Uint8Array([1, 2, 3]),
        ward: 'B',
      },
      { id: 2, tenantId: 'clinic-a', email: 'Ben@Example.org', diagnosis: null, scan: null, ward: 'C' },
    ];
    for (const row of rows)
      await db.insert(patients).values((await crypto.encryptRow(row)) as typeof patients.$inferInsert);

    const stored = await db.select().from(patients).where(eq(patients.id, 1));
    expect(stored[0]?.email).toMatch(/^clr1\./);
    expect(stored[0]?.scan).toBeInstanceOf(Uint8Array);
    expect(stored[0]?.ward).toBe('B');
    expect(JSON.stringify(stored)).not.toContain('asthma');

    const plain = await crypto.decryptRow<Omit<Patient, 'emailIndex'>>(stored[0] as Patient);
    expect(plain).toEqual({ ...rows[0], id: 1 });
    expect(
      await crypto.decryptRow((await db.select().from(patients).where(eq(patients.id, 2)))[0] as Patient),
    ).toEqual({
      ...rows[1],
    });
  });

  it('looks rows up through the blind index in a Drizzle query', async () => {
    const values = await crypto.blindIndexValues('email', ' BEN@example.org', { tenant: 'clinic-a' });
    const found = await db.select().from(patients).where(inArray(patients.emailIndex, values));
    const matches = await crypto.decryptMatches(found, 'email', ' BEN@example.org');
    expect(matches.map((r) => r.id)).toEqual([2]);
  });

  it('refuses to write plaintext into an encrypted column', async () => {
    const plaintext = db
      .insert(patients)
      .values({ id: 3, tenantId: 'clinic-a', email: 'carl@example.org' as SealedText });
    await expect(plaintext).rejects.toSatisfy(
      (e: unknown) =>
        (e instanceof CipherlayerError ? e : (e as { cause?: unknown }).cause) instanceof CipherlayerError,
    );
    const bytes = db.insert(patients).values({ id: 3, tenantId: 'clinic-a', scan: new Uint8Array([9, 9]) });
    await expect(bytes).rejects.toThrow();
    const [count] = await database.exec('SELECT count(*)::int AS n FROM patients');
    expect(count?.n).toBe(2);
  });

  it('keeps Drizzle rows bound to their context: a ciphertext moved to another row does not decrypt', async () => {
    const [one] = await db.select().from(patients).where(eq(patients.id, 1));
    await db
      .update(patients)
      .set({ diagnosis: one?.diagnosis ?? null })
      .where(eq(patients.id, 2));
    const [two] = await db.select().from(patients).where(eq(patients.id, 2));
    await expect(crypto.decryptRow(two as Patient)).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
  });
});
