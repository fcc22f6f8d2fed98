import { CipherlayerError, configError } from '../lib/errors.js';

/**
 * Remembers which stateless requests were already accepted, for as long as
 * their timestamp could still pass the freshness check. Implementations
 * must be atomic: two concurrent calls with one id never both return true.
 */
export interface ReplayCache {
  /** Records `id` until `expiresAt` (ms); true if it was new, false if already seen. */
  remember(id: string, expiresAt: number): boolean | Promise<boolean>;
}

export interface MemoryReplayCacheOptions {
  /** Upper bound on remembered ids; when full of live entries, requests fail closed (503). */
  maxEntries?: number;
  clock?: () => number;
}

/**
 * In-process replay cache. Correct for one server process; several
 * processes need a shared cache (Redis) or replays across them pass.
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1)
      throw configError('maxEntries must be a positive integer');
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  remember(id: string, expiresAt: number): boolean {
    const now = this.#clock();
    this.#dropExpiredHead(now);
    const seen = this.#entries.get(id);
    if (seen !== undefined && seen > now) return false;
    if (this.#entries.size >= this.#maxEntries) this.#sweep(now);
    // Evicting a live entry would let its request be replayed: refuse instead.
    if (this.#entries.size >= this.#maxEntries) throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
    this.#entries.set(id, expiresAt);
    return true;
  }

  /** Entries arrive in about time order: dropping expired ones from the head is amortised O(1). */
  #dropExpiredHead(now: number): void {
    for (const [id, expiresAt] of this.#entries) {
      if (expiresAt > now) return;
      this.#entries.delete(id);
    }
  }

  #sweep(now: number): void {
    for (const [id, expiresAt] of this.#entries) if (expiresAt <= now) this.#entries.delete(id);
  }
}
