import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryReplayCache } from '@cipherlayer/core';
import { RedisReplayCache } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedInstances } from './helpers/instances.js';
import { API_BINDING, clientFor, expectCode, HANDSHAKE_BINDING, json } from './helpers/protocol.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
beforeAll(async () => {
  scope = await redisScope();
});
afterAll(async () => {
  await scope?.close();
});

describe('RedisReplayCache', () => {
  it('refuses a stateless request replayed at another instance, and a replayed handshake', async () => {
    const {
      instances: [a, b],
    } = await sharedInstances(scope, 2);
    const client = await clientFor(a!);
    const { message } = await client.sealRequest(API_BINDING, json({ pay: 100 }));
    await a!.openRequest(message, API_BINDING);
    await expectCode(() => b!.openRequest(message, API_BINDING), 'ERR_REPLAY');
    await expectCode(() => a!.openRequest(message, API_BINDING), 'ERR_REPLAY');

    const hello = await client.startHandshake(HANDSHAKE_BINDING);
    await b!.handshake(hello.message, HANDSHAKE_BINDING);
    await expectCode(() => a!.handshake(hello.message, HANDSHAKE_BINDING), 'ERR_REPLAY');
  });

  it('remembers an id until expiresAt plus the clock margin, as the memory cache does without one', async () => {
    const margin = 150;
    const cache = new RedisReplayCache(scope.client, { prefix: scope.prefix, clockMarginMs: margin });
    const memory = new MemoryReplayCache();
    const expiresAt = Date.now() + 200;
    for (const store of [cache, memory]) {
      expect(await store.remember('id-1', expiresAt)).toBe(true);
      expect(await store.remember('id-1', expiresAt)).toBe(false);
    }
    const ttl = await scope.client.pttl(`${scope.prefix}replay:id-1`);
    expect(ttl).toBeGreaterThan(200 + margin - 100);
    expect(ttl).toBeLessThanOrEqual(200 + margin + 1);

    // Past expiresAt the memory cache forgets; Redis still holds the id for the margin.
    await sleep(expiresAt - Date.now() + 20);
    expect(await memory.remember('id-1', expiresAt + 10_000)).toBe(true);
    expect(await cache.remember('id-1', expiresAt + 10_000)).toBe(false);
  });

  it('forgets an id at its expiry when the margin is zero', async () => {
    const cache = new RedisReplayCache(scope.client, { prefix: scope.prefix, clockMarginMs: 0 });
    const expiresAt = Date.now() + 100;
    expect(await cache.remember('id-2', expiresAt)).toBe(true);
    expect(await cache.remember('id-2', expiresAt)).toBe(false);
    await sleep(expiresAt - Date.now() + 30);
    expect(await cache.remember('id-2', Date.now() + 100)).toBe(true);
  });

  it('still checks an id whose expiry has already passed', async () => {
    const cache = new RedisReplayCache(scope.client, { prefix: scope.prefix, clockMarginMs: 0 });
    expect(await cache.remember('id-3', Date.now() + 60_000)).toBe(true);
    expect(await cache.remember('id-3', Date.now() - 1_000)).toBe(false);
    expect(await cache.remember('id-4', Date.now() - 1_000)).toBe(true);
  });

  it('answers true to exactly one of many concurrent callers on separate connections', async () => {
    const caches = await Promise.all(
      [0, 1, 2, 3].map(async () => new RedisReplayCache(await scope.connection(), { prefix: scope.prefix })),
    );
    for (let trial = 0; trial < 50; trial++) {
      const id = `race-${trial}`;
      const answers = await Promise.all(caches.map((cache) => cache.remember(id, Date.now() + 30_000)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    }
  });
});
