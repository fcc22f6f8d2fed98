/**
 * `@cipherlayer/profiles/redis`: the profile store on Redis, shared by
 * several server instances. Its own entry point, so that applications
 * without Redis never load `ioredis` types or code.
 */
export {
  type RedisCommands,
  RedisProfileStore,
  type RedisProfileStoreOptions,
} from './stores/redis-store.js';
