import type { FieldValue } from '../format/values.js';

/** Equality of decrypted values as a lookup means it: bytes by content, dates by time, JSON by its text. */
export function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array)
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return Object.is(a, b) || a === b;
}
