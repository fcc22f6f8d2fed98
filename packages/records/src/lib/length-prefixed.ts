import { CipherlayerError } from '@cipherlayer/core';

/**
 * The one framing used wherever this package authenticates strings (field
 * AAD, keyring wrap AAD, blind-index key derivation): each string is its
 * UTF-8 bytes after a 2-byte big-endian length, so no two lists of strings
 * encode alike. spec/records.md calls it lp().
 */

export const MAX_STRING_BYTES = 0xffff;

export function lengthPrefixed(values: readonly string[]): Buffer {
  const parts = values.map((value) => Buffer.from(value, 'utf8'));
  let length = 0;
  for (const part of parts) {
    if (part.length > MAX_STRING_BYTES)
      throw new CipherlayerError('ERR_TOO_LARGE', { detail: 'a context string is longer than 65535 bytes' });
    length += 2 + part.length;
  }
  const out = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const part of parts) {
    out.writeUInt16BE(part.length, offset);
    offset += 2 + part.copy(out, offset + 2);
  }
  return out;
}

/** An optional string: 0x00 when absent, 0x01 ‖ lp(value) when present (spec: opt()). */
export function optional(value: string | undefined): Buffer {
  if (value === undefined) return Buffer.of(0);
  return Buffer.concat([Buffer.of(1), lengthPrefixed([value])]);
}
