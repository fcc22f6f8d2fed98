import { randomBytes } from 'node:crypto';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import type { Redis } from 'ioredis';
import { connectRedis, deleteKeysUnder, uniquePrefix } from '../../../packages/redis/test/helpers/redis.js';
import {
  type AdapterName,
  type BankState,
  type EngineOptions,
  type RunningServer,
  startServer,
} from './bank.js';
import { CapturingLogger } from './capturing-logger.js';
import { RoundRobin } from './round-robin.js';
import { textForms } from './secrets.js';
import { type Deployment, newKeySet } from './trial.js';

/**
 * Several instances of the bank app as a deployment runs them: one key set
 * and one store encryption key shared, each instance with its own Redis
 * connection (the README's recommended ioredis options) and its own
 * RedisSessionStore and RedisReplayCache under one key prefix unique to
 * the run, behind a round-robin balancer.
 */
export interface RedisDeployment extends Deployment {
  readonly instances: RunningServer[];
  readonly balancer: RoundRobin;
  readonly connections: Redis[];
  readonly prefix: string;
  close(): Promise<void>;
}

export async function startRedisDeployment(
  adapters: readonly AdapterName[],
  redisPort: number,
  engine: EngineOptions = {},
): Promise<RedisDeployment> {
  const keys = newKeySet();
  const encryptionKey = randomBytes(32);
  const prefix = uniquePrefix();
  const logs = new CapturingLogger();
  const state: BankState = { balance: '', confirmation: '', reference: '' };
  const connections: Redis[] = [];
  const instances: RunningServer[] = [];
  try {
    for (const adapter of adapters) {
      const connection = await connectRedis(redisPort);
      connections.push(connection);
      const stores = {
        sessionStore: new RedisSessionStore(connection, { prefix, encryptionKey }),
        replayCache: new RedisReplayCache(connection, { prefix }),
      };
      instances.push(await startServer(adapter, { keys, state, logs, engine: { ...engine, ...stores } }));
    }
  } catch (error) {
    for (const instance of instances) await instance.close();
    for (const connection of connections) connection.disconnect();
    throw error;
  }
  const balancer = await RoundRobin.start(instances.map((i) => i.origin));
  return {
    origin: balancer.origin,
    logs,
    state,
    keySets: [keys],
    secretsAtRest: textForms(encryptionKey),
    instances,
    balancer,
    connections,
    prefix,
    async close() {
      await balancer.close();
      for (const instance of instances) await instance.close();
      // The shared Redis is left as found; an own redis-server that is down has nothing to clean.
      if (connections[0]?.status === 'ready') await deleteKeysUnder(connections[0], prefix);
      for (const connection of connections) connection.disconnect();
    },
  };
}
