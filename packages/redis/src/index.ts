/**
 * @cipherlayer/redis: the session store and replay cache that let several
 * cipherlayer server instances share state through Redis (or Redis Cluster).
 */

export { DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, type RedisStoreOptions } from './lib/options.js';
export type { RedisClient } from './lib/redis-client.js';
export { DEFAULT_CLOCK_MARGIN_MS, RedisReplayCache, type RedisReplayCacheOptions } from './replay-cache.js';
export {
  DEFAULT_EXPIRED_GRACE_MS,
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './session-store.js';
