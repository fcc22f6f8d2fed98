import { toBase64Url } from '@cipherlayer/core';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_BINDING,
  clientFor,
  expectCode,
  handshake,
  json,
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

describe('revocation', () => {
  it('refuses the session with ERR_SESSION_REVOKED at every instance, until its TTL', async () => {
    const keys = serverKeys();
    const encryptionKey = storeKey();
    const instance = async () =>
      serverInstance(keys, {
        sessions: new RedisSessionStore(await scope.connection(), { prefix: scope.prefix, encryptionKey }),
        replayCache: new RedisReplayCache(scope.client, { prefix: scope.prefix }),
      });
    const a = await instance();
    const b = await instance();
    const session = await handshake(await clientFor(a), a);
    expect(await sessionCall(session, b, 1)).toEqual({ echo: 1 });

    const key = `${scope.prefix}session:{${toBase64Url(session.sessionId)}}`;
    const ttlBefore = await scope.client.pttl(key);
    await a.revokeSession(session.sessionId);

    const message = (await session.sealRequest(API_BINDING, json(2))).message;
    await expectCode(() => b.openRequest(message, API_BINDING), 'ERR_SESSION_REVOKED');
    await expectCode(() => a.openRequest(message, API_BINDING), 'ERR_SESSION_REVOKED');
    // The marker lives as long as the session would have; its secrets and window are erased now.
    expect((await scope.client.hkeys(key)).sort()).toEqual(['expiresAt', 'revoked']);
    const ttlAfter = await scope.client.pttl(key);
    expect(ttlAfter).toBeGreaterThan(ttlBefore - 1_000);
    expect(ttlAfter).toBeLessThanOrEqual(ttlBefore);
  });

  it('turns a session loaded before the revocation into unknown at its counter check', async () => {
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    const record = sessionRecord();
    await store.save(record, 128);
    const loaded = await store.load(record.material.sessionId);
    if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
    await store.revoke(record.material.sessionId);
    expect(await loaded.acceptCounter(0)).toBe('unknown');
    expect(await store.load(record.material.sessionId)).toBe('revoked');
    expect(await store.bind(record.material.sessionId, { userId: 'x' })).toBe(false);
    // Revoking twice is harmless.
    await store.revoke(record.material.sessionId);
    expect(await store.load(record.material.sessionId)).toBe('revoked');
  });

  it('creates nothing for a session it does not know', async () => {
    const store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    const unknown = sessionRecord().material.sessionId;
    await store.revoke(unknown);
    expect(await store.load(unknown)).toBeUndefined();
    expect(await scope.client.exists(`${scope.prefix}session:{${toBase64Url(unknown)}}`)).toBe(0);
  });
});
