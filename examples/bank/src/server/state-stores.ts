import { once } from 'node:events';
import type { ReplayCache, SessionStore } from '@cipherlayer/core';
import { RedisProfileStore } from '@cipherlayer/profiles/redis';
import type { ProfileStore } from '@cipherlayer/profiles/rsa-session';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { Redis } from 'ioredis';

/**
 * Where the servers' short-lived state lives: cl1 sessions and replay
 * windows, and the seed profiles' sessions and replay entries. In this
 * process's memory by default (one instance); in Redis with REDIS_URL, so
 * that several instances share it.
 */
export interface StateStores {
  /** Undefined: the engine's in-memory defaults. */
  readonly sessionStore: SessionStore | undefined;
  readonly replayCache: ReplayCache | undefined;
  /** Undefined: each profile's in-memory default. */
  readonly profileStore: ProfileStore | undefined;
  readonly description: string;
  close(): Promise<void>;
}

export async function openStateStores(
  redisUrl: string | undefined,
  prefix: string,
  storeKey: Uint8Array,
  clock: (() => number) | undefined,
): Promise<StateStores> {
  if (redisUrl === undefined) {
    return {
      sessionStore: undefined,
      replayCache: undefined,
      profileStore: undefined,
      description: 'in memory (this process only; a restart forgets sessions, clients handshake again)',
      close: async () => undefined,
    };
  }
  // The options @cipherlayer/redis recommends: fail fast while Redis is away, never queue or resend.
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    lazyConnect: true,
  });
  redis.on('error', () => undefined); // reconnection is ioredis's job; requests meanwhile get 503
  await Promise.all([once(redis, 'ready'), redis.connect()]);
  const timing = clock === undefined ? {} : { clock };
  const url = new URL(redisUrl);
  return {
    sessionStore: new RedisSessionStore(redis, {
      encryptionKey: storeKey,
      prefix: `${prefix}cl1:`,
      ...timing,
    }),
    replayCache: new RedisReplayCache(redis, { prefix: `${prefix}cl1:`, ...timing }),
    profileStore: new RedisProfileStore(redis, { encryptionKey: storeKey, prefix: `${prefix}profiles:` }),
    description: `Redis at ${url.hostname}:${url.port || 6379} (shared by every instance)`,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
