import { createHmac } from 'node:crypto';
import { encodeValue, type FieldType, type FieldValue } from '../format/values.js';
import type { KeyHierarchy } from '../keys/key-hierarchy.js';
import type { UnwrappedKey } from '../keys/unwrapped-key.js';
import { BlindIndexKeys } from './blind-index-key.js';

/**
 * A blind index value: "<generation>.<base64url of the first `bits` bits of
 * HMAC-SHA256(index key, plaintext bytes)>" (spec/records.md, "Blind
 * index"). The generation says which root key made it, so a lookup during
 * an index key rotation asks for both, and the re-encryption job knows
 * which rows still carry the old one.
 */

export interface IndexTarget {
  readonly table: string;
  readonly column: string;
  /** Only for per-tenant indexes. */
  readonly tenant?: string | undefined;
  readonly type: FieldType;
  readonly bits: number;
  readonly normalize: (value: string) => string;
}

export function indexGeneration(stored: string): number {
  const dot = stored.indexOf('.');
  return dot > 0 ? Number(stored.slice(0, dot)) : Number.NaN;
}

export class BlindIndexer {
  readonly #keys: KeyHierarchy;
  readonly #derived = new BlindIndexKeys();

  constructor(keys: KeyHierarchy) {
    this.#keys = keys;
  }

  /** The value written with a row: under the active root key. */
  async forWrite(target: IndexTarget, value: FieldValue): Promise<string> {
    return this.forWriteNow(target, value);
  }

  /** forWrite, synchronously while the root keys are in memory. */
  forWriteNow(target: IndexTarget, value: FieldValue): string | Promise<string> {
    const roots = this.#keys.indexRoots();
    if (roots instanceof Promise)
      return roots.then((r) => this.#compute(r[0] as UnwrappedKey, target, value));
    return this.#compute(roots[0] as UnwrappedKey, target, value);
  }

  /** The values a lookup matches: one per live root key, newest first. */
  async forLookup(target: IndexTarget, value: FieldValue): Promise<string[]> {
    const roots = await this.#keys.indexRoots();
    return roots.map((root) => this.#compute(root, target, value));
  }

  /** The generation writes use now. */
  async activeGeneration(): Promise<number> {
    const [active] = await this.#keys.indexRoots();
    return (active as UnwrappedKey).generation;
  }

  normalized(target: IndexTarget, value: FieldValue): FieldValue {
    return typeof value === 'string' ? target.normalize(value) : value;
  }

  #compute(root: UnwrappedKey, target: IndexTarget, value: FieldValue): string {
    const key = this.#derived.derive(root, target.table, target.column, target.tenant);
    const input = encodeValue(target.type, this.normalized(target, value), target);
    const mac = createHmac('sha256', key).update(input).digest();
    const bytes = Math.ceil(target.bits / 8);
    const out = mac.subarray(0, bytes);
    const spare = bytes * 8 - target.bits;
    if (spare > 0) out[bytes - 1] = (out[bytes - 1] as number) & (0xff << spare) & 0xff;
    return `${root.generation}.${out.toString('base64url')}`;
  }
}
