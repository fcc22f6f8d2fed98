import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecords, parseFieldCiphertext, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { auditLog, testKeyring } from './helpers/records-fixtures.js';

/**
 * A data key encrypts at most `messageLimit` fields (2^32 by default, NIST SP
 * 800-38D's bound for random 96-bit nonces); then its scope rolls to a new
 * key and the old one becomes retiring. The count lives in the keys table and
 * is reserved in blocks, so the hot path does not write per field, and two
 * processes sharing a key together never exceed the limit.
 */
describe.each(DATABASES)('data key message limit on %s', (kind) => {
  let database: TestDatabase;
  const keyring = testKeyring();
  const opened: Records[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'msg_limit');
  });
  afterAll(async () => {
    for (const records of opened) await records.close();
    await database?.close();
  });

  async function open(options: { messageLimit: number; reserveBlock: number }) {
    const audit = auditLog();
    const records = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring,
      audit: audit.hook,
      ...options,
    });
    opened.push(records);
    return { records, audit };
  }

  const keyOf = (sealed: string | null) => parseFieldCiphertext(sealed as string).keyId;

  it('rolls to a new key after the limit, and counts in blocks', async () => {
    const { records, audit } = await open({ messageLimit: 10, reserveBlock: 4 });
    const context = { table: 'roll', column: 'c', row: 1, tenant: 'solo' };
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(keyOf(await records.encrypt(`v${i}`, context)));
    const distinct = [...new Set(ids)];
    expect(distinct).toHaveLength(3);
    expect(ids.filter((id) => id === distinct[0])).toHaveLength(10);
    expect(ids.filter((id) => id === distinct[1])).toHaveLength(10);
    expect(ids.filter((id) => id === distinct[2])).toHaveLength(5);

    const keys = await records.listKeys({ purpose: 'data', scope: 'tenant=solo' });
    expect(keys.map((k) => [k.generation, k.state, k.messageCount, k.messageLimit])).toEqual([
      [3, 'active', 8, 10], // 5 used, two blocks of 4 reserved
      [2, 'retiring', 10, 10],
      [1, 'retiring', 10, 10],
    ]);
    expect(audit.events.filter((e) => e.type === 'rotate')).toEqual([
      expect.objectContaining({ keyId: distinct[0], reason: 'message-limit' }),
      expect.objectContaining({ keyId: distinct[1], reason: 'message-limit' }),
    ]);
    // Every field still decrypts: a retiring key still opens what it sealed.
    expect(await records.decrypt(await records.encrypt('last', context), context)).toBe('last');
  });

  it('never lets two processes together exceed the limit of a shared key', async () => {
    const a = await open({ messageLimit: 50, reserveBlock: 7 });
    const b = await open({ messageLimit: 50, reserveBlock: 7 });
    const context = { table: 'shared', column: 'c', row: 1, tenant: 'both' };
    const sealed = await Promise.all(
      Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? a : b).records.encrypt(i, context)),
    );
    const perKey = new Map<string, number>();
    for (const s of sealed) perKey.set(keyOf(s), (perKey.get(keyOf(s)) ?? 0) + 1);
    for (const count of perKey.values()) expect(count).toBeLessThanOrEqual(50);
    const keys = await a.records.listKeys({ purpose: 'data', scope: 'tenant=both' });
    for (const key of keys) {
      expect(key.messageCount).toBeLessThanOrEqual(50);
      expect(perKey.get(key.id) ?? 0).toBeLessThanOrEqual(key.messageCount);
    }
    expect(keys.filter((k) => k.state === 'active')).toHaveLength(1);
    for (let i = 0; i < sealed.length; i++)
      expect(await b.records.decrypt(sealed[i] as string, context)).toBe(i);
  });

  it('reserves one block per round trip: 1000 fields cost one count update with the default block', async () => {
    const { records } = await open({ messageLimit: 2 ** 32, reserveBlock: 65_536 });
    const context = { table: 'hot', column: 'c', row: 1 };
    for (let i = 0; i < 1000; i++) await records.encrypt('x', context);
    const [key] = await records.listKeys({ purpose: 'data', scope: 'global', states: ['active'] });
    expect(key?.messageCount).toBe(65_536);
  });
});
