import { setTimeout as sleep } from 'node:timers/promises';
import { toBase64Url } from '@cipherlayer/core';
import { DEFAULT_EXPIRED_GRACE_MS, RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPIRED_GRACE_MS } from '../../core/src/state/session-store.js';
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

const untilPast = async (time: number) => {
  while (Date.now() <= time) await sleep(Math.max(1, time - Date.now() + 5));
};

describe('session expiry', () => {
  it('answers ERR_SESSION_EXPIRED after expires_at, then ERR_SESSION_UNKNOWN once the grace has passed', async () => {
    const ttlMs = 400;
    const graceMs = 400;
    const sessions = new RedisSessionStore(scope.client, {
      prefix: scope.prefix,
      encryptionKey: storeKey(),
      expiredGraceMs: graceMs,
    });
    const replayCache = new RedisReplayCache(scope.client, { prefix: scope.prefix });
    const server = serverInstance(serverKeys(), { sessions, replayCache }, { ttlMs });
    const client = await clientFor(server);
    const before = Date.now();
    const session = await handshake(client, server);
    const key = `${scope.prefix}session:{${toBase64Url(session.sessionId)}}`;
    const { expiresAt } = session.grant;

    // The key lives for the session's TTL plus the grace, counted from the handshake (which began at `before`).
    const pttl = await scope.client.pttl(key);
    expect(pttl).toBeLessThanOrEqual(ttlMs + graceMs);
    expect(pttl).toBeGreaterThanOrEqual(ttlMs + graceMs - (Date.now() - before) - 1);
    expect(await sessionCall(session, server, { before: true })).toEqual({ echo: { before: true } });
    // A session loaded before expiry can no longer accept a counter after it.
    const loaded = await sessions.load(session.sessionId);
    if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
    // The client will not seal on an expired session (its clock agrees with the server's here):
    // seal now and deliver late, as a slow network or a skewed client clock would.
    const stale = (await session.sealRequest(API_BINDING, json({ late: true }))).message;

    await untilPast(expiresAt);
    expect(await loaded.acceptCounter(50)).toBe('unknown');
    await expectCode(() => server.openRequest(stale, API_BINDING), 'ERR_SESSION_EXPIRED');

    await untilPast(expiresAt + graceMs);
    await expectCode(() => server.openRequest(stale, API_BINDING), 'ERR_SESSION_UNKNOWN');
    // Redis dropped the hash by its TTL: nothing of the session is left.
    expect(await scope.client.exists(key)).toBe(0);
  });

  it('with no grace, drops the session at expires_at', async () => {
    const sessions = new RedisSessionStore(scope.client, {
      prefix: scope.prefix,
      encryptionKey: storeKey(),
      expiredGraceMs: 0,
    });
    const record = sessionRecord({ ttlMs: 150 });
    await sessions.save(record, 128);
    expect(await sessions.load(record.material.sessionId)).toBeTypeOf('object');
    await untilPast(record.expiresAt);
    expect(await sessions.load(record.material.sessionId)).toBeUndefined();
  });

  it('does not store a record already past its grace', async () => {
    const sessions = new RedisSessionStore(scope.client, {
      prefix: scope.prefix,
      encryptionKey: storeKey(),
      expiredGraceMs: 100,
    });
    const record = sessionRecord({ now: Date.now() - 10_000, ttlMs: 1_000 });
    await sessions.save(record, 128);
    expect(await sessions.load(record.material.sessionId)).toBeUndefined();
    expect(
      await scope.client.exists(`${scope.prefix}session:{${toBase64Url(record.material.sessionId)}}`),
    ).toBe(0);
  });

  it('uses the memory store grace by default', () => {
    // Core does not export its constant from the package entry; this keeps the two from drifting.
    expect(DEFAULT_EXPIRED_GRACE_MS).toBe(EXPIRED_GRACE_MS);
  });
});
