import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEvent, LocalKeyring, openRecords, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { testKeyring } from './helpers/records-fixtures.js';

/**
 * Key use is audited through one hook: wrap, unwrap (per cache miss, not per
 * field), rotate, rewrap, retire, failed unwrap and failed decryption, with
 * key ids, scopes, KEK ids and field locations; never key bytes, wrapped
 * bytes or plaintext. A hook that throws does not break the operation.
 */
describe.each(DATABASES)('audit events on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;
  const events: (AuditEvent & { time: Date })[] = [];
  const SECRET = 'audit-me-not-1234';
  const k1 = { id: 'k1', key: new Uint8Array(randomBytes(32)) };

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'audit');
    records = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: new LocalKeyring({ name: 'audit', keys: [k1] }),
      audit: (event) => events.push(event),
    });
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  it('records the life of a key without any secret in it', async () => {
    const context = { table: 't', column: 'c', row: 1, tenant: 'acme' };
    const sealed = await records.encrypt(SECRET, context);
    await records.decrypt(sealed, context);
    await records.decrypt(sealed, { ...context, row: 2 }).catch(() => undefined);
    const [moved] = await records.rotateDataKeys();
    await records.rotateKek();
    await records.retireKeys([moved?.id as string]);
    await records.decrypt(sealed, context).catch(() => undefined);

    const types = events.map((e) => e.type);
    expect(types).toEqual(['wrap', 'decrypt-failed', 'rotate', 'retire', 'decrypt-failed']);
    const [wrap, failed, rotate, retire, expired] = events;
    expect(retire).toMatchObject({ purpose: 'data', keyId: moved?.id });
    expect(wrap).toMatchObject({
      purpose: 'data',
      scope: 'tenant=acme',
      keyringId: 'local:audit',
      kekId: 'k1',
    });
    expect(failed).toMatchObject({ table: 't', column: 'c', row: '2', tenant: 'acme', code: 'ERR_DECRYPT' });
    expect(rotate).toMatchObject({ keyId: moved?.id, reason: 'requested' });
    expect(expired).toMatchObject({ code: 'ERR_KEY_EXPIRED' });
    for (const event of events) expect(event.time).toBeInstanceOf(Date);
    const text = JSON.stringify(events);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('ciphertext');
  });

  it('records unwraps on cache misses only, and rewraps', async () => {
    events.length = 0;
    const context = { table: 't2', column: 'c', row: 1 };
    const sealed = await records.encrypt('x', context);
    const fresh = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: records.keys.keyring,
      audit: (event) => events.push(event),
    });
    for (let i = 0; i < 5; i++) await fresh.decrypt(sealed, context);
    expect(events.filter((e) => e.type === 'unwrap')).toHaveLength(1);
    await fresh.close();
    const k2 = { id: 'k2', key: new Uint8Array(randomBytes(32)) };
    const rotated = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: new LocalKeyring({ name: 'audit', keys: [k2, k1] }),
      audit: (event) => events.push(event),
      migrate: false,
    });
    const result = await rotated.rotateKek();
    const rewraps = events.filter((e) => e.type === 'rewrap');
    expect(rewraps).toHaveLength(result.rewrapped);
    expect(rewraps[0]).toMatchObject({
      fromKekId: 'k1',
      kekId: 'k2',
      fromKeyringId: 'local:audit',
      keyringId: 'local:audit',
    });
    await rotated.close();
  });

  it('keeps going when the hook throws', async () => {
    const noisy = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: testKeyring(['k9'], 'noisy'),
      keyScope: 'table',
      audit: () => {
        throw new Error('log sink down');
      },
    });
    const context = { table: 'noisy', column: 'c', row: 1 };
    expect(await noisy.decrypt(await noisy.encrypt('still works', context), context)).toBe('still works');
    await noisy.close();
  });
});
