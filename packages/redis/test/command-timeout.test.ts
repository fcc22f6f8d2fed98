import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedInstances } from './helpers/instances.js';
import {
  API_BINDING,
  clientFor,
  expectCode,
  handshake,
  json,
  sessionCall,
  statelessCall,
} from './helpers/protocol.js';
import { connectRedis, RedisProcess, recommendedClientOptions, uniquePrefix } from './helpers/redis.js';

const TIMEOUT_MS = 300;
const SLACK_MS = 200;

let redis: RedisProcess;
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.close();
});

describe('a Redis that hangs (connected, never answering)', () => {
  it('fails requests with ERR_STORE_UNAVAILABLE after the store timeout, and serves again once it answers', async () => {
    // No ioredis commandTimeout: the store's own deadline is what ends the wait.
    const { commandTimeout: _, ...clientOptions } = recommendedClientOptions;
    const deployment = {
      prefix: uniquePrefix(),
      async connection() {
        const connection = await connectRedis(redis.port, clientOptions);
        connections.push(connection);
        return connection;
      },
    };
    const {
      instances: [server],
    } = await sharedInstances(deployment, 1, { timeoutMs: TIMEOUT_MS });
    const client = await clientFor(server!);
    const session = await handshake(client, server!);
    expect(await sessionCall(session, server!, 'before')).toEqual({ echo: 'before' });

    redis.pause();
    try {
      const messages = [
        (await session.sealRequest(API_BINDING, json('hung'))).message,
        (await client.sealRequest(API_BINDING, json('hung'))).message,
      ];
      for (const message of messages) {
        const started = performance.now();
        await expectCode(() => server!.openRequest(message, API_BINDING), 'ERR_STORE_UNAVAILABLE');
        const elapsed = performance.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
        expect(elapsed).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      redis.resume();
    }

    // The commands that timed out still reach Redis now; they only refuse more (a counter marked, an enc
    // recorded). Fresh requests pass.
    await sleep(20);
    expect(await sessionCall(session, server!, 'after')).toEqual({ echo: 'after' });
    expect(await statelessCall(client, server!, 'after')).toEqual({ echo: 'after' });
  });
});
