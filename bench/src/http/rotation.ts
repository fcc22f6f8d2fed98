/**
 * Hands prepared requests to the load generator. A single-use rotation gives
 * each item once, in order (cl1 messages: a replayed one is refused); a
 * reusable one goes round and round (seed 004's tokens, which its server
 * does not protect against replay). Past the end of a single-use list it
 * keeps answering the last item, which the server will refuse, and counts
 * the overrun: the run is then reported as broken rather than silently
 * replaying.
 */
export class Rotation<T> {
  #items: readonly T[] = [];
  #next = 0;
  #overruns = 0;

  constructor(readonly reusable: boolean) {}

  /** Replaces the items (before a run); the count of overruns is kept. */
  load(items: readonly T[]): void {
    if (items.length === 0) throw new Error('a rotation needs at least one item');
    this.#items = items;
    this.#next = 0;
  }

  take(): T {
    const items = this.#items;
    if (items.length === 0) throw new Error('nothing loaded');
    if (this.#next < items.length) return items[this.#next++] as T;
    if (this.reusable) {
      this.#next = 1;
      return items[0] as T;
    }
    this.#overruns++;
    return items[items.length - 1] as T;
  }

  /** Items not handed out yet (single-use), or the pool size (reusable). */
  get remaining(): number {
    return this.reusable ? this.#items.length : this.#items.length - this.#next;
  }

  /** Times a single-use item was asked for past the end of the list. */
  get overruns(): number {
    return this.#overruns;
  }
}
