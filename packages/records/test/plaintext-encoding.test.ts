import { CipherlayerError } from '@cipherlayer/core';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, type FieldType, type FieldValue, typeOf } from '../src/format/values.js';
import { sameValue } from '../src/table/equality.js';

/**
 * The plaintext of a field is one type byte and the value (spec/records.md,
 * "Plaintext"). Each type round-trips exactly; a value of the wrong type is
 * refused without showing it; bytes that no writer makes (possible only
 * under a valid key) are ERR_MALFORMED, never a wrong value.
 */

const where = { table: 't', column: 'c' };

describe('plaintext encoding', () => {
  it('round-trips every type, edge values included', () => {
    const values: [FieldType, FieldValue][] = [
      ['string', ''],
      ['string', '𝄞 ü ✓'],
      ['number', -0],
      ['number', Number.NaN],
      ['number', Number.NEGATIVE_INFINITY],
      ['number', 2 ** 53 + 2],
      ['boolean', false],
      ['json', { a: [1, null, 'x'], b: { c: true } }],
      ['json', 'a string as JSON'],
      ['json', null],
      ['bytes', new Uint8Array([0, 255])],
      ['bigint', -(2n ** 100n)],
      ['date', new Date(-1)],
    ];
    for (const [type, value] of values) {
      const decoded = decodeValue(encodeValue(type, value, where));
      expect(
        Object.is(decoded, value) || sameValue(decoded as FieldValue, value),
        `${type} ${String(value)}`,
      ).toBe(true);
    }
    expect(typeOf(1n)).toBe('bigint');
    expect(typeOf(new Date())).toBe('date');
    expect(typeOf(new Uint8Array())).toBe('bytes');
    expect(typeOf(true)).toBe('boolean');
    expect(typeOf([1])).toBe('json');
  });

  it('refuses a value of another type, naming the field but not the value', () => {
    const wrong: [FieldType, unknown][] = [
      ['string', 5],
      ['number', '5'],
      ['boolean', 1],
      ['bigint', 1],
      ['date', new Date('nope')],
      ['date', 0],
      ['bytes', 'abc'],
      ['json', new Uint8Array()],
      ['json', 1n],
      ['json', undefined],
    ];
    for (const [type, value] of wrong) {
      expect(() => encodeValue(type, value as FieldValue, where)).toThrow(
        `t.c is declared as ${type} but the value is not a ${type}`,
      );
    }
  });

  it('reads bytes no writer makes as ERR_MALFORMED', () => {
    const bad = [
      [0x00, 1],
      [0x01, 0xff],
      [0x02, 1, 2],
      [0x03, 2],
      [0x03],
      [0x04, 0x7b],
      [0x06, 0x31, 0x2e],
      [0x07, 1],
      [0x09],
    ];
    for (const bytes of bad) {
      let error: unknown;
      try {
        decodeValue(new Uint8Array(bytes));
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(bytes)).toBeInstanceOf(CipherlayerError);
      expect((error as CipherlayerError).code).toBe('ERR_MALFORMED');
    }
  });

  it('compares decrypted values as a lookup means it', () => {
    expect(sameValue(new Uint8Array([1]), new Uint8Array([1]))).toBe(true);
    expect(sameValue(new Uint8Array([1]), 'x')).toBe(false);
    expect(sameValue(new Date(5), new Date(5))).toBe(true);
    expect(sameValue(new Date(5), 5)).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1 })).toBe(true);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
    expect(sameValue('a', 'b')).toBe(false);
  });
});
