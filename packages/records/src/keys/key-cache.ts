import type { UnwrappedKey } from './unwrapped-key.js';

export interface KeyCacheOptions {
  /** How long an unwrapped key stays in memory before the keyring is asked again (ms). Default 5 minutes. */
  readonly maxAgeMs?: number;
  /** How many fields one cached key encrypts before it is unwrapped again. Default 2^20. */
  readonly maxUses?: number;
  /** How many unwrapped keys are held for decryption (least recently used first out). Default 1000. */
  readonly maxEntries?: number;
}

export const DEFAULT_CACHE = { maxAgeMs: 5 * 60_000, maxUses: 2 ** 20, maxEntries: 1000 } as const;

interface Entry {
  readonly key: UnwrappedKey;
  readonly expiresAt: number;
}

/**
 * Unwrapped keys by id, for decryption (and index roots): bounded in age and
 * in number, with one keyring call in flight per key however many fields ask
 * for it at once.
 */
export class KeyCache {
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<UnwrappedKey>>();

  constructor(maxAgeMs: number, maxEntries: number) {
    this.#maxAgeMs = maxAgeMs;
    this.#maxEntries = maxEntries;
  }

  /** The cached key, if fresh. Touching it makes it the most recently used. */
  peek(id: string, now = Date.now()): UnwrappedKey | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(id);
      return undefined;
    }
    // Recency only matters when the cache is nearly full; reordering a Map on every field costs.
    if (this.#entries.size * 2 > this.#maxEntries) {
      this.#entries.delete(id);
      this.#entries.set(id, entry);
    }
    return entry.key;
  }

  put(key: UnwrappedKey): void {
    this.#entries.delete(key.id);
    this.#entries.set(key.id, { key, expiresAt: Date.now() + this.#maxAgeMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  async get(id: string, load: () => Promise<UnwrappedKey>): Promise<UnwrappedKey> {
    const cached = this.peek(id);
    if (cached !== undefined) return cached;
    let pending = this.#loading.get(id);
    if (pending === undefined) {
      pending = load().then(
        (key) => {
          this.#loading.delete(id);
          this.put(key);
          return key;
        },
        (error: unknown) => {
          this.#loading.delete(id);
          throw error;
        },
      );
      this.#loading.set(id, pending);
    }
    return pending;
  }

  evict(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}
