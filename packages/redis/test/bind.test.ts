import { toBase64Url } from '@cipherlayer/core';
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

describe('bind', () => {
  it('binds a session to new attributes, checked on every request at every instance', async () => {
    const keys = serverKeys();
    const encryptionKey = storeKey();
    const instance = async () =>
      serverInstance(keys, {
        sessions: new RedisSessionStore(await scope.connection(), { prefix: scope.prefix, encryptionKey }),
        replayCache: new RedisReplayCache(scope.client, { prefix: scope.prefix }),
      });
    const a = await instance();
    const b = await instance();
    const session = await handshake(await clientFor(a), a, { ip: '198.51.100.7' });
    const device = { ip: '198.51.100.7' };
    expect(await sessionCall(session, b, 'anonymous', device)).toEqual({ echo: 'anonymous' });

    // After login, instance a binds the session to the user; instance b checks it on the next request.
    expect(await a.sessions.bind(session.sessionId, { ip: '198.51.100.7', userId: 'u-42' })).toBe(true);
    await expectCode(() => sessionCall(session, b, 'no user', device), 'ERR_SESSION_BINDING');
    expect(await sessionCall(session, b, 'logged in', { ...device, userId: 'u-42' })).toEqual({
      echo: 'logged in',
    });
    await expectCode(
      () => sessionCall(session, a, 'other ip', { ip: '192.0.2.1', userId: 'u-42' }),
      'ERR_SESSION_BINDING',
    );
  });

  it('replaces the attributes whole, keeps the window and the TTL, and refuses unknown sessions', async () => {
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    const record = sessionRecord({ attributes: { ip: '203.0.113.1', tenant: 't1' } });
    await store.save(record, 128);
    const key = `${scope.prefix}session:{${toBase64Url(record.material.sessionId)}}`;
    const ttl = await scope.client.pttl(key);
    const before = await store.load(record.material.sessionId);
    if (before === undefined || before === 'revoked') throw new Error('session not loaded');
    expect(await before.acceptCounter(7)).toBe('fresh');

    expect(await store.bind(record.material.sessionId, { userId: 'u-1' })).toBe(true);
    const after = await store.load(record.material.sessionId);
    if (after === undefined || after === 'revoked') throw new Error('session not loaded');
    expect(after.record.attributes).toEqual({ userId: 'u-1' });
    expect(after.record.material).toEqual(record.material);
    expect(await after.acceptCounter(7)).toBe('replayed');
    expect(await scope.client.pttl(key)).toBeLessThanOrEqual(ttl);

    expect(await store.bind(sessionRecord().material.sessionId, { userId: 'u-1' })).toBe(false);
  });

  it('never mixes two concurrent binds: one of them wins whole', async () => {
    const encryptionKey = storeKey();
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey });
    const other = new RedisSessionStore(await scope.connection(), { prefix: scope.prefix, encryptionKey });
    const first = { userId: 'alice', role: 'admin' };
    const second = { userId: 'bob', device: 'phone' };
    for (let trial = 0; trial < 20; trial++) {
      const record = sessionRecord();
      await store.save(record, 128);
      const id = record.material.sessionId;
      expect(await Promise.all([store.bind(id, first), other.bind(id, second)])).toEqual([true, true]);
      const loaded = await other.load(id);
      if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
      expect([first, second]).toContainEqual(loaded.record.attributes);
    }
  });

  it('refuses attribute values that are not strings', async () => {
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    await expectCode(
      () =>
        store.bind(sessionRecord().material.sessionId, { userId: 42 } as unknown as Record<string, string>),
      'ERR_CONFIG',
    );
  });
});
