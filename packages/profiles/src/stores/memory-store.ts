import { CipherlayerError } from '@cipherlayer/core';
import { configError, integerOption } from '../lib/options.js';
import type { ProfileStore } from './profile-store.js';

export interface MemoryProfileStoreOptions {
  /** Most entries held. When full of live entries, writes fail closed (503). Default 100 000. */
  maxEntries?: number;
  /** Milliseconds since the epoch. For tests. */
  clock?: () => number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/** Expired entries are swept every this many writes, so memory follows the live set. */
const SWEEP_EVERY = 1024;

/**
 * The default store: one process's memory, bounded. A full store refuses
 * writes (ERR_STORE_UNAVAILABLE) rather than evicting live entries: evicting
 * a replay entry would let a replay through.
 */
export class MemoryProfileStore implements ProfileStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #clock: () => number;
  #writes = 0;

  constructor(options: MemoryProfileStoreOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw configError('MemoryProfileStore: options must be an object');
    this.#maxEntries = integerOption(options.maxEntries, 'maxEntries', 100_000, 1, 100_000_000);
    if (options.clock !== undefined && typeof options.clock !== 'function')
      throw configError('clock must be a function');
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: string, ttlMs: number): void {
    this.#write(key, value, ttlMs);
  }

  add(key: string, value: string, ttlMs: number): boolean {
    if (this.get(key) !== undefined) return false;
    this.#write(key, value, ttlMs);
    return true;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #write(key: string, value: string, ttlMs: number): void {
    const now = this.#clock();
    if (++this.#writes % SWEEP_EVERY === 0) this.#sweep(now);
    if (!this.#entries.has(key) && this.#entries.size >= this.#maxEntries) {
      this.#sweep(now);
      if (this.#entries.size >= this.#maxEntries) throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
    }
    this.#entries.delete(key); // re-inserted last: insertion order stays expiry-ish
    this.#entries.set(key, { value, expiresAt: now + ttlMs });
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
