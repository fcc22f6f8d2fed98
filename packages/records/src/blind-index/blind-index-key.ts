import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { UnwrappedKey } from '../keys/unwrapped-key.js';
import { lengthPrefixed, optional } from '../lib/length-prefixed.js';

const LABEL = Buffer.from('cipherlayer blind index v1', 'ascii');
const EMPTY_SALT = Buffer.alloc(0);
const MAX_CACHED = 10_000;

/**
 * The HMAC key of one blind index: HKDF-SHA256 from an index root key, with
 * the table, the column and (for per-tenant indexes) the tenant in `info`.
 * Never derived from a data key: an index key can be rotated, or handed to a
 * search service, without touching what decrypts fields.
 */
export class BlindIndexKeys {
  readonly #cache = new Map<string, KeyObject>();

  derive(root: UnwrappedKey, table: string, column: string, tenant: string | undefined): KeyObject {
    const id = `${root.id}\u0000${table}\u0000${column}\u0000${tenant ?? '\u0001'}`;
    let key = this.#cache.get(id);
    if (key === undefined) {
      const info = Buffer.concat([LABEL, lengthPrefixed([table, column]), optional(tenant)]);
      key = createSecretKey(Buffer.from(hkdfSync('sha256', root.key, EMPTY_SALT, info, 32)));
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      this.#cache.set(id, key);
    }
    return key;
  }

  clear(): void {
    this.#cache.clear();
  }
}
