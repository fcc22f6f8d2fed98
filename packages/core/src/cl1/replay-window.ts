import { fromBase64Url, toBase64Url } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';

/**
 * The anti-replay sliding window of a session (the IPsec/DTLS kind, RFC 4303
 * section 3.4.3, kept as a ring of bits as in RFC 6479). A counter is
 * accepted once, if it is newer than `highest - size`. The state is a small
 * plain value a store can keep and update atomically.
 */
export interface ReplayWindowState {
  /** Highest accepted counter, or -1 before the first message. */
  readonly highest: number;
  /** Window width in bits: a multiple of 32, from 64 to 4096. */
  readonly size: number;
  /** Ring of `size` bits, bit (counter mod size) set when that counter was accepted; base64url. */
  readonly bits: string;
}

export const DEFAULT_WINDOW_SIZE = 128;

export type WindowVerdict = 'fresh' | 'replayed' | 'too-old';

export class ReplayWindow {
  #highest: number;
  readonly #words: Uint32Array;
  readonly size: number;

  constructor(size = DEFAULT_WINDOW_SIZE, highest = -1, words?: Uint32Array) {
    if (!Number.isInteger(size) || size < 64 || size > 4096 || size % 32 !== 0) {
      throw new CipherlayerError('ERR_CONFIG', {
        detail: 'replay window size must be a multiple of 32 from 64 to 4096',
      });
    }
    if (!Number.isSafeInteger(highest) || highest < -1)
      throw new CipherlayerError('ERR_CONFIG', { detail: 'highest' });
    if (words !== undefined && words.length !== size / 32)
      throw new CipherlayerError('ERR_CONFIG', { detail: 'words' });
    this.size = size;
    this.#highest = highest;
    this.#words = words ?? new Uint32Array(size / 32);
  }

  get highest(): number {
    return this.#highest;
  }

  /** What `accept` would answer, without changing anything. */
  check(counter: number): WindowVerdict {
    if (counter > this.#highest) return 'fresh';
    if (counter <= this.#highest - this.size) return 'too-old';
    return this.#bit(counter) ? 'replayed' : 'fresh';
  }

  /** Marks `counter` as seen if it is fresh; returns the verdict it had. */
  accept(counter: number): WindowVerdict {
    const verdict = this.check(counter);
    if (verdict !== 'fresh') return verdict;
    if (counter > this.#highest) {
      // Clear the bits of the counters the window slides over, then move its top.
      const steps = Math.min(counter - this.#highest, this.size);
      for (let i = 1; i <= steps; i++) this.#clear(this.#highest + i);
      this.#highest = counter;
    }
    this.#set(counter);
    return 'fresh';
  }

  // Bit (counter mod size) of the ring: word (position >>> 5), bit (position & 31).
  #bit(counter: number): boolean {
    const position = counter % this.size;
    return ((this.#words[position >>> 5] as number) & (1 << (position & 31))) !== 0;
  }

  #set(counter: number): void {
    const position = counter % this.size;
    this.#words[position >>> 5] = (this.#words[position >>> 5] as number) | (1 << (position & 31));
  }

  #clear(counter: number): void {
    const position = counter % this.size;
    this.#words[position >>> 5] = (this.#words[position >>> 5] as number) & ~(1 << (position & 31));
  }

  toState(): ReplayWindowState {
    const bytes = new Uint8Array(this.size / 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < this.#words.length; i++) view.setUint32(i * 4, this.#words[i] as number);
    return { highest: this.#highest, size: this.size, bits: toBase64Url(bytes) };
  }

  static fromState(state: ReplayWindowState): ReplayWindow {
    const bytes = fromBase64Url(state.bits);
    if (!Number.isSafeInteger(state.highest) || state.highest < -1 || bytes.length * 8 !== state.size) {
      throw new CipherlayerError('ERR_MALFORMED');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words = new Uint32Array(state.size / 32);
    for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4);
    return new ReplayWindow(state.size, state.highest, words);
  }
}
