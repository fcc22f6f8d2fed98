import { ReplayWindow, toBase64Url } from '@cipherlayer/core';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  expectCode,
  handshake,
  serverInstance,
  serverKeys,
  sessionCall,
} from './helpers/protocol.js';
import { sessionRecord, storeKey } from './helpers/records.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
beforeAll(async () => {
  scope = await redisScope();
});
afterAll(async () => {
  await scope?.close();
});

describe('RedisSessionStore: save, load, accept', () => {
  it('loads what it saved: keys, suite, times, budget and attributes', async () => {
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    const record = sessionRecord({ attributes: { userId: 'u-17', ip: '203.0.113.9' } });
    await store.save(record, 128);

    const loaded = await store.load(record.material.sessionId);
    if (loaded === undefined || loaded === 'revoked') throw new Error(`session not loaded: ${loaded}`);
    expect(loaded.record).toEqual(record);
    // The suite is core's own object, not a copy: the protocol compares suites by identity.
    expect(loaded.record.material.suite).toBe(record.material.suite);
  });

  it('keeps one hash per session, named by its id in a hash tag, with a TTL of expiry plus grace', async () => {
    const store = new RedisSessionStore(scope.client, {
      prefix: scope.prefix,
      encryptionKey: storeKey(),
      expiredGraceMs: 5_000,
    });
    const record = sessionRecord({ ttlMs: 20_000 });
    await store.save(record, 256);

    const key = `${scope.prefix}session:{${toBase64Url(record.material.sessionId)}}`;
    expect(await scope.client.type(key)).toBe('hash');
    expect((await scope.client.hkeys(key)).sort()).toEqual(
      ['attributes', 'expiresAt', 'highest', 'keys', 'size', 'window'].sort(),
    );
    const ttl = await scope.client.pttl(key);
    expect(ttl).toBeGreaterThan(25_000 - 1_000);
    expect(ttl).toBeLessThanOrEqual(25_000);
    // The window starts as core's empty window.
    const [highest, size, window] = await scope.client.hmgetBuffer(key, 'highest', 'size', 'window');
    expect(String(highest)).toBe('-1');
    expect(String(size)).toBe('256');
    expect(toBase64Url(window!)).toBe(new ReplayWindow(256).toState().bits);
  });

  it('accepts a counter once, and answers unknown ids with undefined', async () => {
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    const record = sessionRecord();
    await store.save(record, 64);
    const loaded = await store.load(record.material.sessionId);
    if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');

    expect(await loaded.acceptCounter(5)).toBe('fresh');
    expect(await loaded.acceptCounter(5)).toBe('replayed');
    expect(await loaded.acceptCounter(3)).toBe('fresh');
    expect(await loaded.acceptCounter(200)).toBe('fresh');
    expect(await loaded.acceptCounter(136)).toBe('too-old');
    // A second load sees the same window: the state is in Redis, not in the loaded object.
    const again = await store.load(record.material.sessionId);
    if (again === undefined || again === 'revoked') throw new Error('session not loaded');
    expect(await again.acceptCounter(200)).toBe('replayed');
    // Counters are u32 on the wire; anything else never reaches Redis.
    await expectCode(() => again.acceptCounter(-1), 'ERR_MALFORMED');
    await expectCode(() => again.acceptCounter(1.5), 'ERR_MALFORMED');

    expect(await store.load(sessionRecord().material.sessionId)).toBeUndefined();
  });

  it('serves a ServerProtocol: handshake, requests, and a replayed message refused', async () => {
    const sessions = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    const replayCache = new RedisReplayCache(scope.client, { prefix: scope.prefix });
    const server = serverInstance(serverKeys(), { sessions, replayCache });
    const session = await handshake(await clientFor(server), server);

    for (let i = 0; i < 3; i++) expect(await sessionCall(session, server, { i })).toEqual({ echo: { i } });

    const sealed = await session.sealRequest(
      { method: 'POST', target: '/api/transfer' },
      {
        contentType: 'application/json',
        body: new TextEncoder().encode('{"amount":5}'),
      },
    );
    await server.openRequest(sealed.message, { method: 'POST', target: '/api/transfer' });
    await expectCode(
      () => server.openRequest(sealed.message, { method: 'POST', target: '/api/transfer' }),
      'ERR_REPLAY',
    );
  });
});
