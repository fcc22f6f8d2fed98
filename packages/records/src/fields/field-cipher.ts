import { CipherlayerError, isCipherlayerError } from '@cipherlayer/core';
import type { AuditSink } from '../audit.js';
import {
  AAD_HEADER_LENGTH,
  ALGORITHM_AES_256_GCM,
  FORMAT_VERSION,
  HEADER_LENGTH,
  KEY_ID_OFFSET,
  NONCE_OFFSET,
  parseFieldCiphertext,
  type SealedText,
  toSealedText,
} from '../format/field-ciphertext.js';
import { type FieldContext, fieldAadScratch } from '../format/field-context.js';
import {
  decodeValue,
  encodeValue,
  type FieldType,
  type FieldValue,
  NULL_PLAINTEXT,
  typeOf,
} from '../format/values.js';
import type { KeyHierarchy } from '../keys/key-hierarchy.js';
import type { UnwrappedKey } from '../keys/unwrapped-key.js';
import { open, sealInto, TAG_LENGTH, writeRandomNonce } from '../lib/aead.js';

export interface SealOptions {
  /** The stored type; by default the value's own (string, number, boolean, bigint, Date, bytes, else JSON). */
  readonly type?: FieldType;
  /** Encrypt null as well, instead of leaving SQL NULL (which shows that the field is empty). */
  readonly encryptNull?: boolean;
}

// The AAD is built in a shared scratch buffer and used at once (no await in between).
const aadFor = (header: Uint8Array, context: FieldContext) =>
  fieldAadScratch(header.subarray(0, AAD_HEADER_LENGTH), context);

/** A value now, or later when a key must first be fetched: the hot path stays synchronous while keys are cached. */
export type Maybe<T> = T | Promise<T>;

/**
 * Encrypts and decrypts single fields: AES-256-GCM under the data key of the
 * field's scope, with the field's context (table, column, row, tenant) as
 * associated data. Null stays null (SQL NULL) unless `encryptNull`.
 */
function sealWith(key: UnwrappedKey, plaintext: Uint8Array, context: FieldContext): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + plaintext.length + TAG_LENGTH);
  out[0] = FORMAT_VERSION;
  out[1] = ALGORITHM_AES_256_GCM;
  key.idBytes.copy(out, KEY_ID_OFFSET);
  writeRandomNonce(out, NONCE_OFFSET);
  sealInto(
    key.key,
    out.subarray(NONCE_OFFSET, HEADER_LENGTH),
    plaintext,
    aadFor(out, context),
    out,
    HEADER_LENGTH,
  );
  return out;
}

export class FieldCipher {
  readonly #keys: KeyHierarchy;
  readonly #audit: AuditSink;

  constructor(keys: KeyHierarchy, audit: AuditSink) {
    this.#keys = keys;
    this.#audit = audit;
  }

  /** The binary form, for bytea columns. */
  async sealBytes(
    value: FieldValue | null,
    context: FieldContext,
    options: SealOptions = {},
  ): Promise<Buffer | null> {
    return this.sealNow(value, context, options);
  }

  /** The text form ("clr1." + base64url), for text columns. */
  async seal(
    value: FieldValue | null,
    context: FieldContext,
    options: SealOptions = {},
  ): Promise<SealedText | null> {
    const bytes = this.sealNow(value, context, options);
    if (bytes instanceof Promise) return bytes.then((b) => (b === null ? null : toSealedText(b)));
    return bytes === null ? null : toSealedText(bytes);
  }

  /** sealBytes, synchronously when the scope's data key is in memory. */
  sealNow(value: FieldValue | null, context: FieldContext, options: SealOptions = {}): Maybe<Buffer | null> {
    if (value === null || value === undefined)
      return options.encryptNull ? this.sealPlaintext(NULL_PLAINTEXT, context) : null;
    return this.sealPlaintext(encodeValue(options.type ?? typeOf(value), value, context), context);
  }

  /** Seals plaintext bytes as encodeValue makes them (type byte first): also the re-encryption job's path. */
  sealPlaintext(plaintext: Uint8Array, context: FieldContext): Maybe<Buffer> {
    const key = this.#keys.sealingKey(this.#keys.scope(context.table, context.tenant));
    if (key instanceof Promise) return key.then((k) => sealWith(k, plaintext, context));
    return sealWith(key, plaintext, context);
  }

  /** Decrypts either form; null (SQL NULL) reads as null. Every failure is audited. */
  async open(ciphertext: string | Uint8Array | null, context: FieldContext): Promise<FieldValue | null> {
    if (ciphertext === null || ciphertext === undefined) return null;
    return decodeValue((await this.openPlaintext(ciphertext, context)).plaintext);
  }

  /** The plaintext bytes (type byte first) and the data key id, without interpreting the value. */
  async openPlaintext(
    ciphertext: string | Uint8Array,
    context: FieldContext,
  ): Promise<{ readonly keyId: string; readonly plaintext: Buffer }> {
    let keyId: string | undefined;
    try {
      const parsed = parseFieldCiphertext(ciphertext);
      keyId = parsed.keyId;
      const pending = this.#keys.openingKey(keyId);
      const key = pending instanceof Promise ? await pending : pending;
      const { bytes } = parsed;
      const plaintext = open(
        key.key,
        bytes.subarray(NONCE_OFFSET, HEADER_LENGTH),
        bytes.subarray(HEADER_LENGTH),
        aadFor(bytes, context),
      );
      return { keyId, plaintext };
    } catch (error) {
      const code = isCipherlayerError(error) ? error.code : 'ERR_INTERNAL';
      this.#audit({
        type: 'decrypt-failed',
        ...(keyId === undefined ? {} : { keyId }),
        table: context.table,
        column: context.column,
        ...(context.row === undefined ? {} : { row: String(context.row) }),
        ...(context.tenant === undefined ? {} : { tenant: context.tenant }),
        code,
      });
      if (isCipherlayerError(error)) throw error;
      throw new CipherlayerError('ERR_INTERNAL', { cause: error });
    }
  }
}
