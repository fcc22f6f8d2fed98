import { randomBytes } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyring, openRecords, parseFieldCiphertext, type Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { auditLog } from './helpers/records-fixtures.js';

/**
 * When the key a ciphertext needs is missing or wrong, the error says which
 * key (the data key id, and the KEK and keyring that wrapped it), with a
 * stable code, and never the plaintext:
 *
 * - the data key id is not in the keys table: ERR_UNKNOWN_KEY;
 * - the keyring does not hold the KEK that wrapped it: ERR_UNKNOWN_KEY;
 * - the keyring holds another master key under that KEK id: ERR_DECRYPT;
 * - the data key was retired: ERR_KEY_EXPIRED.
 */

const SECRET = 'the-plaintext-1234';
const CONTEXT = { table: 'notes', column: 'body', row: 1 } as const;

function kek(id: string) {
  return { id, key: new Uint8Array(randomBytes(32)) };
}

async function failure(promise: Promise<unknown>): Promise<CipherlayerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CipherlayerError);
  expect(String((error as Error).message)).not.toContain(SECRET);
  expect(JSON.stringify(error)).not.toContain(SECRET);
  return error as CipherlayerError;
}

describe.each(DATABASES)('wrong or missing key on %s', (kind) => {
  let database: TestDatabase;
  let writer: Records;
  let sealed: string;
  let keyId: string;
  const v1 = kek('v1');

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'missing_key');
    writer = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: new LocalKeyring({ name: 'app', keys: [v1] }),
    });
    sealed = (await writer.encrypt(SECRET, CONTEXT)) as string;
    keyId = parseFieldCiphertext(sealed).keyId;
  });
  afterAll(async () => {
    await writer?.close();
    await database?.close();
  });

  async function reader(keys: { id: string; key: Uint8Array }[], name = 'app') {
    const audit = auditLog();
    const records = await openRecords({
      db: database.db,
      schema: database.schema,
      keyring: new LocalKeyring({ name, keys }),
      audit: audit.hook,
    });
    return { records, audit };
  }

  it('names the data key id when it is not in the keys table', async () => {
    const bogus = Buffer.from(parseFieldCiphertext(sealed).bytes);
    bogus.fill(0xab, 2, 10);
    const error = await failure(writer.decrypt(bogus, CONTEXT));
    expect(error.code).toBe('ERR_UNKNOWN_KEY');
    expect(error.message).toBe(
      'unknown key id: data key abababababababab is not in the keys table (cipherlayer_keys)',
    );
  });

  it('never opens a field under an index key, even one in memory', async () => {
    const people = writer.table({
      table: 'notes',
      id: 'id',
      fields: { body: { type: 'string', blindIndex: { key: 'idx' } } },
    });
    await people.encryptRow({ id: 1, body: 'x' }); // loads the index root key into memory
    const [root] = await writer.listKeys({ purpose: 'index' });
    const forged = Buffer.from(parseFieldCiphertext(sealed).bytes);
    Buffer.from(root?.id as string, 'hex').copy(forged, 2);
    const error = await failure(writer.decrypt(forged, CONTEXT));
    expect(error.code).toBe('ERR_UNKNOWN_KEY');
    expect(error.message).toContain(`data key ${root?.id} is not in the keys table`);
    const { records: fresh } = await reader([v1]);
    expect((await failure(fresh.decrypt(forged, CONTEXT))).code).toBe('ERR_UNKNOWN_KEY');
  });

  it('names the data key, the KEK and the keyring when the keyring lacks that KEK', async () => {
    const { records, audit } = await reader([kek('v2')]);
    const error = await failure(records.decrypt(sealed, CONTEXT));
    expect(error.code).toBe('ERR_UNKNOWN_KEY');
    expect(error.message).toContain(`data key ${keyId} is wrapped by KEK v1 of keyring local:app`);
    expect(audit.events).toContainEqual(
      expect.objectContaining({ type: 'unwrap-failed', keyId, kekId: 'v1', code: 'ERR_UNKNOWN_KEY' }),
    );
    expect(audit.events).toContainEqual(
      expect.objectContaining({ type: 'decrypt-failed', keyId, code: 'ERR_UNKNOWN_KEY' }),
    );
  });

  it('names the keyring when the data key was wrapped by another keyring', async () => {
    const { records } = await reader([v1], 'other');
    const error = await failure(records.decrypt(sealed, CONTEXT));
    expect(error.code).toBe('ERR_UNKNOWN_KEY');
    expect(error.message).toContain('which the configured keyring (local:other) does not hold');
  });

  it('says the data key did not unwrap when the master key under that KEK id is another one', async () => {
    const { records } = await reader([kek('v1')]);
    const error = await failure(records.decrypt(sealed, CONTEXT));
    expect(error.code).toBe('ERR_DECRYPT');
    expect(error.message).toContain(`data key ${keyId} did not unwrap under KEK v1 of keyring local:app`);
  });

  it('refuses a retired data key, by name, and reads again once it is reinstated', async () => {
    await writer.rotateDataKeys();
    await writer.retireKeys([keyId]);
    const { records } = await reader([v1]);
    const error = await failure(records.decrypt(sealed, CONTEXT));
    expect(error.code).toBe('ERR_KEY_EXPIRED');
    expect(error.message).toContain(`data key ${keyId} is retired`);
    expect(await records.keys.reinstate(keyId)).toBe(true);
    expect(await records.decrypt(sealed, CONTEXT)).toBe(SECRET);
  });
});
