import { CipherlayerError } from '@cipherlayer/core';
import { customType } from 'drizzle-orm/pg-core';
import { isSealedField, type SealedText, TEXT_PREFIX } from '../format/field-ciphertext.js';

/**
 * Drizzle ORM column types for encrypted fields. Drizzle's conversions are
 * synchronous and see one value without its row, while a field's encryption
 * context is its row (id, tenant) and its key may need a keyring call; so
 * encryption happens before Drizzle (`table.encryptRow(row)`) and decryption
 * after (`table.decryptRow(row)`), and these columns make sure that only
 * ciphertext goes in: the TypeScript type is SealedText (or bytes), and a
 * plaintext string is refused at run time with ERR_PLAINTEXT_REJECTED.
 */

function refusePlaintext(column: string): CipherlayerError {
  return new CipherlayerError('ERR_PLAINTEXT_REJECTED', {
    detail: `column ${column} only stores field ciphertext: encrypt the row with encryptRow() before writing it`,
  });
}

/** A text column holding "clr1." ciphertexts. */
export function encryptedText(name: string) {
  return customType<{ data: SealedText; driverData: string }>({
    dataType: () => 'text',
    toDriver(value) {
      if (typeof value !== 'string' || !value.startsWith(TEXT_PREFIX)) throw refusePlaintext(name);
      return value;
    },
    fromDriver: (value) => value as SealedText,
  })(name);
}

/** A bytea column holding binary field ciphertexts. */
export function encryptedBytes(name: string) {
  return customType<{ data: Uint8Array; driverData: Uint8Array }>({
    dataType: () => 'bytea',
    toDriver(value) {
      if (!isSealedField(value) || typeof value === 'string') throw refusePlaintext(name);
      return value;
    },
    fromDriver: (value) => new Uint8Array(value),
  })(name);
}
