import { CipherlayerError, type ErrorCode } from '@cipherlayer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records } from '../src/index.js';
import { DATABASES, openTestDatabase, type TestDatabase } from './helpers/records-db.js';
import { openTestRecords } from './helpers/records-fixtures.js';

/**
 * No change to a stored ciphertext is ever accepted. Each byte of the binary
 * form is flipped in turn, and each character of the text form replaced:
 * the reader throws a CipherlayerError whose code depends only on the part
 * that changed (header bytes that select the format or key, or the
 * authenticated rest), and never returns a value.
 */

const CONTEXT = { table: 'accounts', column: 'iban', row: 'a-1', tenant: 't1' } as const;

function expectedCode(offset: number): ErrorCode[] {
  if (offset === 0) return ['ERR_MALFORMED']; // version
  if (offset === 1) return ['ERR_SUITE_NOT_ALLOWED']; // algorithm
  if (offset < 10) return ['ERR_UNKNOWN_KEY']; // data key id: no such key
  return ['ERR_DECRYPT']; // nonce, ciphertext, tag
}

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'accepted';
  } catch (error) {
    return error instanceof CipherlayerError ? error.code : `not a CipherlayerError: ${String(error)}`;
  }
}

describe.each(DATABASES)('tampered field ciphertext on %s', (kind) => {
  let database: TestDatabase;
  let records: Records;

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'tamper');
    records = await openTestRecords(database);
  });
  afterAll(async () => {
    await records?.close();
    await database?.close();
  });

  it('rejects every single-byte change of the binary form, with the code of the part changed', async () => {
    const sealed = (await records.encryptToBytes('DE89 3704 0044 0532 0130 00', CONTEXT)) as Uint8Array;
    for (let offset = 0; offset < sealed.length; offset++) {
      for (const mask of [0x01, 0x80]) {
        const copy = new Uint8Array(sealed);
        copy[offset] = (copy[offset] as number) ^ mask;
        const code = await outcome(() => records.decrypt(copy, CONTEXT));
        expect(expectedCode(offset), `byte ${offset} ^ ${mask}`).toContain(code);
      }
    }
    expect(await records.decrypt(sealed, CONTEXT)).toBe('DE89 3704 0044 0532 0130 00');
  });

  it('rejects truncation and extension', async () => {
    const sealed = (await records.encryptToBytes('x', CONTEXT)) as Uint8Array;
    for (let length = 0; length < sealed.length; length++) {
      const code = await outcome(() => records.decrypt(sealed.subarray(0, length), CONTEXT));
      expect(['ERR_MALFORMED', 'ERR_DECRYPT']).toContain(code);
    }
    const longer = new Uint8Array([...sealed, 0]);
    expect(await outcome(() => records.decrypt(longer, CONTEXT))).toBe('ERR_DECRYPT');
  });

  it('rejects every character replaced in the text form, and non-canonical base64url', async () => {
    const text = (await records.encrypt(12345, CONTEXT)) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < text.length; i++) {
      const current = text[i] as string;
      const replacement = alphabet[(alphabet.indexOf(current) + 1) % alphabet.length] ?? 'A';
      const changed = text.slice(0, i) + replacement + text.slice(i + 1);
      const code = await outcome(() => records.decrypt(changed, CONTEXT));
      expect(code, `character ${i}`).not.toBe('accepted');
      expect(code).toMatch(/^ERR_(MALFORMED|DECRYPT|UNKNOWN_KEY|SUITE_NOT_ALLOWED)$/);
    }
    for (const bad of [
      `${text}=`,
      `${text}A`,
      text.replace('clr1.', 'clr2.'),
      text.slice(5),
      `${text.slice(0, -1)}+`,
    ]) {
      expect(await outcome(() => records.decrypt(bad, CONTEXT))).toMatch(/^ERR_(MALFORMED|DECRYPT)$/);
    }
    expect(await records.decrypt(text, CONTEXT)).toBe(12345);
  });
});
