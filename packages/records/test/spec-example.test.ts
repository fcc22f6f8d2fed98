import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFieldContext } from '../src/format/field-context.js';
import {
  encodeEncryptionContext,
  type LocalKeyring,
  openRecords,
  parseFieldCiphertext,
  pgliteDatabase,
  type Records,
} from '../src/index.js';
import { testKeyring } from './helpers/records-fixtures.js';

/**
 * spec/records.md is the format. Its worked examples are recomputed here by
 * an independent implementation of the document (plain node:crypto and the
 * byte layouts as written), and the package must produce and read the same
 * bytes.
 */

const spec = readFileSync(resolve(import.meta.dirname, '../../../spec/records.md'), 'utf8');

function examples(): Record<string, string>[] {
  const blocks = [...spec.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks.map((block) =>
    Object.fromEntries(
      block
        .trim()
        .split('\n')
        .map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        }),
    ),
  );
}

const [field, index] = examples() as [Record<string, string>, Record<string, string>];
const hex = (s: string | undefined) => Buffer.from(s as string, 'hex');
const lp = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  const l = Buffer.alloc(2);
  l.writeUInt16BE(b.length);
  return Buffer.concat([l, b]);
};
const opt = (s: string) => Buffer.concat([Buffer.of(1), lp(s)]);
const context = { table: 'people', column: 'email', tenant: 'acme', row: '42' };

describe('spec/records.md examples, recomputed from the document', () => {
  it('the field: plaintext, AAD, AES-256-GCM, both forms', () => {
    expect(field.value).toBe('alice@example.com');
    const plaintext = Buffer.concat([Buffer.of(0x01), Buffer.from(field.value as string)]);
    expect(plaintext).toEqual(hex(field.plaintext));
    const header = Buffer.concat([Buffer.of(0x01, 0x01), hex(field['key id'])]);
    const aad = Buffer.concat([
      header,
      lp(field.table as string),
      lp(field.column as string),
      opt(field.tenant as string),
      opt(field.row as string),
    ]);
    expect(aad).toEqual(hex(field.aad));
    const cipher = createCipheriv('aes-256-gcm', hex(field['data key']), hex(field.nonce));
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    expect(ciphertext).toEqual(hex(field.ciphertext));
    expect(cipher.getAuthTag()).toEqual(hex(field.tag));
    const bytes = Buffer.concat([header, hex(field.nonce), ciphertext, cipher.getAuthTag()]);
    expect(bytes).toEqual(hex(field.bytes));
    expect(`clr1.${bytes.toString('base64url')}`).toBe(field.text);
  });

  it('the blind index: HKDF info, index key, HMAC, truncation to 32 bits', () => {
    const info = Buffer.concat([
      Buffer.from('cipherlayer blind index v1'),
      lp('people'),
      lp('email'),
      opt('acme'),
    ]);
    expect(info).toEqual(hex(index.info));
    const key = Buffer.from(hkdfSync('sha256', hex(index['root key']), Buffer.alloc(0), info, 32));
    expect(key).toEqual(hex(index['index key']));
    const mac = createHmac('sha256', key).update(hex(field.plaintext)).digest();
    expect(mac).toEqual(hex(index.hmac));
    expect(`1.${mac.subarray(0, 4).toString('base64url')}`).toBe(index.index);
  });
});

describe('spec/records.md examples, with the package', () => {
  let lite: PGlite;
  let records: Records;
  const keyring: LocalKeyring = testKeyring(['spec'], 'spec');

  beforeAll(async () => {
    lite = new PGlite();
    records = await openRecords({ db: pgliteDatabase(lite), keyring });
    // The example's keys, wrapped as the package wraps keys, in its keys table.
    const insert = async (
      id: string,
      purpose: 'data' | 'index',
      scope: string,
      raw: Buffer,
      extra: Record<string, string>,
    ) => {
      const wrapped = await keyring.wrap(raw, {
        purpose: purpose === 'data' ? 'cipherlayer data key' : 'cipherlayer index key',
        key_id: id,
        scope,
        ...extra,
      });
      await lite.query(
        `INSERT INTO cipherlayer_keys (id, purpose, scope, generation, state, keyring_id, kek_id, wrapped, message_limit)
         VALUES ($1, $2, $3, 1, 'active', $4, $5, $6, 4294967296)`,
        [id, purpose, scope, wrapped.keyringId, wrapped.kekId, wrapped.ciphertext],
      );
    };
    await insert(field['key id'] as string, 'data', 'tenant=acme', hex(field['data key']), {
      tenant: 'acme',
    });
    await insert('1111111111111111', 'index', 'index', hex(index['root key']), {});
  });
  afterAll(async () => {
    await records?.close();
    await lite?.close();
  });

  it('parses and decrypts the example field, in both forms', async () => {
    const parsed = parseFieldCiphertext(field.text as string);
    expect(parsed.keyId).toBe(field['key id']);
    expect(parsed.bytes).toEqual(hex(field.bytes));
    expect(await records.decrypt(field.text as string, context)).toBe('alice@example.com');
    expect(await records.decrypt(hex(field.bytes), context)).toBe('alice@example.com');
    expect(encodeFieldContext(context)).toEqual(hex(field.aad).subarray(10));
  });

  it('computes the example blind index', async () => {
    const people = records.table({
      table: 'people',
      id: 'id',
      tenant: 'tenant',
      fields: { email: { type: 'string', blindIndex: { key: 'email_idx', bits: 32 } } },
    });
    expect(await people.blindIndexValues('email', 'alice@example.com', { tenant: 'acme' })).toEqual([
      index.index,
    ]);
  });

  it('encodes an encryption context as the spec writes it', () => {
    expect(encodeEncryptionContext({ b: '2', a: 'é' })).toEqual(
      Buffer.concat([Buffer.from([0, 2]), lp('a'), lp('é'), lp('b'), lp('2')]),
    );
  });
});
