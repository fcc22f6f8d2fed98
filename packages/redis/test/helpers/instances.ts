import type { ServerKeySet, ServerProtocol, SessionOptions } from '@cipherlayer/core';
import {
  type RedisClient,
  RedisReplayCache,
  type RedisReplayCacheOptions,
  RedisSessionStore,
} from '@cipherlayer/redis';
import { serverInstance, serverKeys } from './protocol.js';
import { storeKey } from './records.js';

export interface Deployment {
  /** A new connection to the Redis the instances share. */
  connection(): Promise<RedisClient>;
  prefix: string;
}

export interface InstanceOptions {
  /** Shared with instances made by another call (default: a new key set, a new store key). */
  keys?: ServerKeySet;
  encryptionKey?: Uint8Array;
  session?: SessionOptions;
  timeoutMs?: number;
  replayCache?: Omit<RedisReplayCacheOptions, 'prefix'>;
}

/**
 * `count` server instances as a deployment runs them: one key set and one
 * store key shared, each instance with its own Redis connection and stores.
 */
export async function sharedInstances(
  deployment: Deployment,
  count: number,
  options: InstanceOptions = {},
): Promise<{ instances: ServerProtocol[]; keys: ServerKeySet }> {
  const keys = options.keys ?? serverKeys();
  const encryptionKey = options.encryptionKey ?? storeKey();
  const common = {
    prefix: deployment.prefix,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  const instances: ServerProtocol[] = [];
  for (let i = 0; i < count; i++) {
    const connection = await deployment.connection();
    instances.push(
      serverInstance(
        keys,
        {
          sessions: new RedisSessionStore(connection, { ...common, encryptionKey }),
          replayCache: new RedisReplayCache(connection, { ...common, ...options.replayCache }),
        },
        options.session,
      ),
    );
  }
  return { instances, keys };
}
