import type { ReplayCache } from '@cipherlayer/core';
import { replayKey } from './lib/key-layout.js';
import { checkInteger, checkKnownOptions, commonOptions, type RedisStoreOptions } from './lib/options.js';
import type { CommandGuard, RedisClient } from './lib/redis-client.js';

export interface RedisReplayCacheOptions extends RedisStoreOptions {
  /**
   * Extra time an id is kept past its `expiresAt`: the largest clock
   * difference between server instances (spec section 19, "Clock
   * dependence"). Default 5000 ms.
   */
  clockMarginMs?: number;
}

export const DEFAULT_CLOCK_MARGIN_MS = 5000;

const OPTION_NAMES = ['prefix', 'timeoutMs', 'clock', 'clockMarginMs'];

/**
 * The stateless replay cache in Redis: one `SET NX PX` per request, so two
 * instances never both accept one `enc`. An id is remembered until
 * `expiresAt` by this instance's clock, plus the clock margin.
 */
export class RedisReplayCache implements ReplayCache {
  readonly #guard: CommandGuard;
  readonly #prefix: string;
  readonly #clock: () => number;
  readonly #marginMs: number;

  constructor(client: RedisClient, options: RedisReplayCacheOptions = {}) {
    checkKnownOptions(options, OPTION_NAMES, 'RedisReplayCache');
    const common = commonOptions(client, options, 'RedisReplayCache');
    this.#guard = common.guard;
    this.#prefix = common.prefix;
    this.#clock = common.clock;
    this.#marginMs = checkInteger(options.clockMarginMs ?? DEFAULT_CLOCK_MARGIN_MS, 'clockMarginMs', 0);
  }

  async remember(id: string, expiresAt: number): Promise<boolean> {
    // A relative expiry: the Redis host's clock plays no part. An id already past
    // its expiry is still checked (PX 1), as the memory cache checks it.
    const ttl = Math.max(1, Math.ceil(expiresAt - this.#clock()) + this.#marginMs);
    const key = replayKey(this.#prefix, id);
    return (await this.#guard.run((client) => client.set(key, '1', 'PX', ttl, 'NX'))) === 'OK';
  }
}
