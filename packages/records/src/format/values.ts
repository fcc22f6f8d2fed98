import { CipherlayerError } from '@cipherlayer/core';

/**
 * What a field holds, and its plaintext bytes: one type byte, then the value.
 * The type travels inside the ciphertext (encrypted and authenticated), so a
 * reader gets back the JavaScript type that was written and the stored bytes
 * say nothing about it. spec/records.md, "Plaintext".
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export type FieldValue = string | number | boolean | bigint | Date | Uint8Array | JsonValue;

export type FieldType = 'string' | 'number' | 'boolean' | 'json' | 'bytes' | 'bigint' | 'date';

export const FIELD_TYPES: readonly FieldType[] = [
  'string',
  'number',
  'boolean',
  'json',
  'bytes',
  'bigint',
  'date',
];

export const TypeTag = {
  null: 0x00,
  string: 0x01,
  number: 0x02,
  boolean: 0x03,
  json: 0x04,
  bytes: 0x05,
  bigint: 0x06,
  date: 0x07,
} as const;

/** The type a value is stored as when the caller does not name one. */
export function typeOf(value: FieldValue): FieldType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'bigint';
    default:
      if (value instanceof Uint8Array) return 'bytes';
      if (value instanceof Date) return 'date';
      return 'json';
  }
}

/** Names the field in errors (table.column), built only when there is an error. */
export interface FieldName {
  readonly table: string;
  readonly column: string;
}

function wrongType(type: FieldType, where: FieldName): TypeError {
  // The value itself is never part of the message: it is the plaintext.
  return new TypeError(
    `${where.table}.${where.column} is declared as ${type} but the value is not a ${type}`,
  );
}

function withTag(tag: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(1 + payload.length);
  out[0] = tag;
  payload.copy(out, 1);
  return out;
}

function float64(tag: number, value: number): Buffer {
  const out = Buffer.allocUnsafe(9);
  out[0] = tag;
  out.writeDoubleBE(value, 1);
  return out;
}

/** The plaintext bytes of `value` as `type` (tag byte first). `where` names the field in errors. */
export function encodeValue(type: FieldType, value: FieldValue, where: FieldName): Buffer {
  switch (type) {
    case 'string': {
      if (typeof value !== 'string') throw wrongType(type, where);
      // One allocation: the tag byte, then UTF-8 written in place.
      const out = Buffer.allocUnsafe(1 + Buffer.byteLength(value, 'utf8'));
      out[0] = TypeTag.string;
      out.write(value, 1, 'utf8');
      return out;
    }
    case 'number':
      if (typeof value !== 'number') throw wrongType(type, where);
      return float64(TypeTag.number, value);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(type, where);
      return Buffer.of(TypeTag.boolean, value ? 1 : 0);
    case 'bigint':
      if (typeof value !== 'bigint') throw wrongType(type, where);
      return withTag(TypeTag.bigint, Buffer.from(value.toString(10), 'latin1'));
    case 'date':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw wrongType(type, where);
      return float64(TypeTag.date, value.getTime());
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw wrongType(type, where);
      return withTag(TypeTag.bytes, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    case 'json': {
      if (value instanceof Uint8Array || value instanceof Date || typeof value === 'bigint')
        throw wrongType(type, where);
      const text = JSON.stringify(value);
      if (text === undefined) throw wrongType(type, where);
      return withTag(TypeTag.json, Buffer.from(text, 'utf8'));
    }
  }
}

/** The encrypted form of an SQL NULL, for columns that choose `encryptNull`. */
export const NULL_PLAINTEXT = Buffer.of(TypeTag.null);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(cause?: unknown): CipherlayerError {
  return new CipherlayerError('ERR_MALFORMED', { cause });
}

/** The value back from authenticated plaintext bytes. */
export function decodeValue(plaintext: Uint8Array): FieldValue | null {
  const tag = plaintext[0];
  const payload = plaintext.subarray(1);
  try {
    switch (tag) {
      case TypeTag.null:
        if (payload.length !== 0) throw malformed();
        return null;
      case TypeTag.string:
        return strictUtf8.decode(payload);
      case TypeTag.number:
      case TypeTag.date: {
        if (payload.length !== 8) throw malformed();
        const number = Buffer.from(payload.buffer, payload.byteOffset, 8).readDoubleBE(0);
        return tag === TypeTag.date ? new Date(number) : number;
      }
      case TypeTag.boolean:
        if (payload.length !== 1 || (payload[0] as number) > 1) throw malformed();
        return payload[0] === 1;
      case TypeTag.bigint: {
        const text = Buffer.from(payload).toString('latin1');
        if (!/^-?\d+$/.test(text)) throw malformed();
        return BigInt(text);
      }
      case TypeTag.bytes:
        return new Uint8Array(payload);
      case TypeTag.json:
        return JSON.parse(strictUtf8.decode(payload)) as JsonValue;
      default:
        throw malformed();
    }
  } catch (error) {
    if (error instanceof CipherlayerError) throw error;
    throw malformed(error);
  }
}
