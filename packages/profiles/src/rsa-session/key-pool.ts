import { Worker } from 'node:worker_threads';
import { CipherlayerError } from '@cipherlayer/core';
import { booleanOption, checkKnown, configError, integerOption } from '../lib/options.js';
import { KEYGEN_WORKER_SOURCE } from './keygen-worker.js';

/** An RSA key pair in PEM, as seed 001 stores it: SPKI public key, PKCS#8 private key. */
export interface RsaKeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

export interface RsaKeyPoolOptions {
  /** Key pairs kept ready. Default 16. */
  size?: number;
  /** Refill when fewer are ready (counting those being made). Default half of `size`. */
  lowWater?: number;
  /** How long a session creation waits for a key when the pool is empty. Default 2000 ms; 0 never waits. */
  waitMs?: number;
  /** Session creations that may wait at once; more are refused at once. Default 64. */
  maxWaiters?: number;
  /** RSA modulus. Default 2048, as the seed. */
  modulusLength?: number;
  /** Start filling at creation rather than at the first session. Default true. */
  prefill?: boolean;
}

interface Waiter {
  readonly resolve: (pair: RsaKeyPair) => void;
  readonly reject: (error: CipherlayerError) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

const KNOWN = ['size', 'lowWater', 'waitMs', 'maxWaiters', 'modulusLength', 'prefill'];

/**
 * Seed 001 makes an RSA-2048 key pair per session, about 160 ms of CPU: on
 * the request path, a few session creations at once would stall every
 * other request. The pool keeps `size` pairs ready, made in one
 * worker_threads worker off the event loop, and refills when it runs low.
 * Each pair is used once, for one session, as the seed intends.
 *
 * When it is empty (a burst of session creations faster than about six per
 * second per core), a creation waits up to `waitMs` for the next pair, at
 * most `maxWaiters` at a time; past either it is refused with 503
 * ERR_STORE_UNAVAILABLE and the client may retry. Nothing is ever generated
 * on the request path, and requests of existing sessions never wait.
 */
export class RsaKeyPool {
  readonly #ready: RsaKeyPair[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #size: number;
  readonly #lowWater: number;
  readonly #waitMs: number;
  readonly #maxWaiters: number;
  readonly #modulusLength: number;
  #worker: Worker | undefined;
  #inFlight = 0;
  #closed = false;
  #filled: Promise<void> | undefined;
  #onFilled: (() => void) | undefined;
  /** Worker failures in a row: the pool stops restarting it after a few, and says so. */
  #failures = 0;

  constructor(options: RsaKeyPoolOptions = {}) {
    checkKnown(options, KNOWN, 'RsaKeyPool');
    this.#size = integerOption(options.size, 'size', 16, 1, 4096);
    this.#lowWater = integerOption(options.lowWater, 'lowWater', Math.ceil(this.#size / 2), 0, this.#size);
    this.#waitMs = integerOption(options.waitMs, 'waitMs', 2000, 0, 60_000);
    this.#maxWaiters = integerOption(options.maxWaiters, 'maxWaiters', 64, 0, 100_000);
    this.#modulusLength = integerOption(options.modulusLength, 'modulusLength', 2048, 2048, 8192);
    if (this.#modulusLength % 1024 !== 0) throw configError('modulusLength must be a multiple of 1024');
    if (booleanOption(options.prefill, 'prefill', true)) this.#refill();
  }

  /** Key pairs ready now. */
  get available(): number {
    return this.#ready.length;
  }

  /** Resolves once the pool has been full (after a refill was asked for, or at once when it is). */
  filled(): Promise<void> {
    if (this.#ready.length >= this.#size) return Promise.resolve();
    this.#refill(true);
    this.#filled ??= new Promise<void>((resolve) => {
      this.#onFilled = resolve;
    });
    return this.#filled;
  }

  /** A key pair, used once. Throws (or rejects with) ERR_STORE_UNAVAILABLE when none comes in time. */
  take(): RsaKeyPair | Promise<RsaKeyPair> {
    if (this.#closed) throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
    const pair = this.#ready.pop();
    this.#refill();
    if (pair !== undefined) return pair;
    if (this.#waitMs === 0 || this.#waiters.length >= this.#maxWaiters)
      throw new CipherlayerError('ERR_STORE_UNAVAILABLE');
    return new Promise<RsaKeyPair>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(new CipherlayerError('ERR_STORE_UNAVAILABLE'));
        }, this.#waitMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Stops the worker; waiting creations are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new CipherlayerError('ERR_STORE_UNAVAILABLE'));
    }
    this.#ready.length = 0;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  /** Tops the pool up when it is at or below the low-water mark (or whenever, when forced). */
  #refill(force = false): void {
    if (this.#closed || (!force && this.#ready.length + this.#inFlight > this.#lowWater)) return;
    const count = this.#size - this.#ready.length - this.#inFlight;
    if (count <= 0) return;
    const worker = this.#startWorker();
    if (worker === undefined) return;
    this.#inFlight += count;
    worker.postMessage(count);
  }

  #startWorker(): Worker | undefined {
    if (this.#worker !== undefined) return this.#worker;
    if (this.#failures >= 3) return undefined;
    const worker = new Worker(KEYGEN_WORKER_SOURCE, {
      eval: true,
      workerData: { modulusLength: this.#modulusLength },
    });
    // An idle pool must not keep the process alive.
    worker.unref();
    worker.on('message', (pair: RsaKeyPair) => this.#arrived(pair));
    const lost = () => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#inFlight = 0;
      this.#failures++;
      this.#refill();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.#worker = worker;
    return worker;
  }

  #arrived(pair: RsaKeyPair): void {
    this.#failures = 0;
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve(pair);
      this.#refill();
      return;
    }
    this.#ready.push(pair);
    if (this.#ready.length >= this.#size && this.#onFilled !== undefined) {
      this.#onFilled();
      this.#onFilled = undefined;
      this.#filled = undefined;
    }
  }
}
