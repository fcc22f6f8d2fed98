import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EncryptionContext, Keyring, WrappedKey } from '../src/index.js';
import { openRecords, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { testKeyring } from './helpers/records-fixtures.js';

/**
 * Unwrapped data keys stay in memory for a bounded time (maxAgeMs) and a
 * bounded number of encryptions (maxUses); past either, the keyring is asked
 * again. Decryption keys are also bounded in number (maxEntries).
 */

function countingKeyring(): Keyring & { unwraps: number } {
  const inner = testKeyring(['k1'], 'cache');
  const spy = {
    id: inner.id,
    unwraps: 0,
    currentKekId: () => inner.currentKekId(),
    wrap: (k: Uint8Array, c: EncryptionContext) => inner.wrap(k, c),
    unwrap: (w: WrappedKey, c: EncryptionContext) => {
      spy.unwraps++;
      return inner.unwrap(w, c);
    },
    rewrap: (w: WrappedKey, c: EncryptionContext) => inner.rewrap(w, c),
  };
  return spy;
}

describe.each(DATABASES)('key cache limits on %s', (kind) => {
  let database: TestDatabase;
  const opened: Records[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'cache');
  });
  afterAll(async () => {
    vi.useRealTimers();
    for (const r of opened) await r.close();
    await database?.close();
  });

  async function open(keyring: Keyring, cache: { maxAgeMs?: number; maxUses?: number; maxEntries?: number }) {
    const records = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring,
      cache,
      keyScope: 'tenant',
    });
    opened.push(records);
    return records;
  }

  it('unwraps the encryption key again after maxUses encryptions', async () => {
    const keyring = countingKeyring();
    await (await open(keyring, {})).encrypt('make the key', {
      table: 'a',
      column: 'c',
      row: 1,
      tenant: 'uses',
    });
    const records = await open(keyring, { maxUses: 10 });
    const context = { table: 'a', column: 'c', row: 1, tenant: 'uses' };
    for (let i = 0; i < 35; i++) await records.encrypt(i, context);
    // 35 encryptions with at most 10 per unwrap: 4 unwraps.
    expect(keyring.unwraps).toBe(4);
  });

  it('unwraps again after maxAgeMs, for encryption and for decryption', async () => {
    const keyring = countingKeyring();
    const records = await open(keyring, { maxAgeMs: 60_000 });
    const context = { table: 'a', column: 'c', row: 1, tenant: 'age' };
    const sealed = await records.encrypt('x', context);
    const reader = await open(keyring, { maxAgeMs: 60_000 });
    vi.useFakeTimers({ toFake: ['Date'] });
    await reader.decrypt(sealed, context);
    await reader.decrypt(sealed, context);
    expect(keyring.unwraps).toBe(1);
    vi.setSystemTime(Date.now() + 61_000);
    await reader.decrypt(sealed, context);
    await records.encrypt('y', context);
    expect(keyring.unwraps).toBe(3);
    vi.useRealTimers();
  });

  it('holds at most maxEntries decryption keys', async () => {
    const keyring = countingKeyring();
    const writer = await open(keyring, {});
    const sealed: [string, { table: string; column: string; tenant: string }][] = [];
    for (const tenant of ['e1', 'e2', 'e3']) {
      const context = { table: 'a', column: 'c', tenant };
      sealed.push([(await writer.encrypt(tenant, context)) as string, context]);
    }
    const reader = await open(keyring, { maxEntries: 2 });
    const before = keyring.unwraps;
    for (let round = 0; round < 2; round++)
      for (const [text, context] of sealed) expect(await reader.decrypt(text, context)).toBe(context.tenant);
    // e1, e2, e3 (evicts e1), e1 again (evicts e2), e2 again, e3 again: every read is a miss.
    expect(keyring.unwraps - before).toBe(6);
  });

  it('makes one keyring call for many fields that need the same key at once', async () => {
    const keyring = countingKeyring();
    const writer = await open(keyring, {});
    const context = { table: 'a', column: 'c', tenant: 'burst' };
    const sealed = await writer.encrypt('x', context);
    const reader = await open(keyring, {});
    const before = keyring.unwraps;
    await Promise.all(Array.from({ length: 50 }, () => reader.decrypt(sealed, context)));
    expect(keyring.unwraps - before).toBe(1);
  });
});
