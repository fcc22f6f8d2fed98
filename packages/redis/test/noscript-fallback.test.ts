import { RedisSessionStore } from '@cipherlayer/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptCounterScript } from '../src/lib/replay-window-script.js';
import { saveScript } from '../src/lib/session-scripts.js';
import { sessionRecord, storeKey } from './helpers/records.js';
import { connectRedis, RedisProcess, uniquePrefix } from './helpers/redis.js';

// SCRIPT FLUSH empties the script cache of a whole server: never on the shared Redis.
let redis: RedisProcess;
let client: Redis;
beforeAll(async () => {
  redis = await RedisProcess.start();
  client = await connectRedis(redis.port);
});
afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});

describe('scripts unknown to the server (NOSCRIPT)', () => {
  it('are sent whole once (EVAL), then run by their SHA1 again', async () => {
    const store = new RedisSessionStore(client, { prefix: uniquePrefix(), encryptionKey: storeKey() });
    const record = sessionRecord();
    await store.save(record, 128);
    const session = await store.load(record.material.sessionId);
    if (session === undefined || session === 'revoked') throw new Error('session not loaded');
    expect(await session.acceptCounter(1)).toBe('fresh');

    await client.script('FLUSH');
    expect(await client.script('EXISTS', acceptCounterScript.sha1, saveScript.sha1)).toEqual([0, 0]);
    expect(await session.acceptCounter(1)).toBe('replayed');
    expect(await session.acceptCounter(2)).toBe('fresh');
    expect(await client.script('EXISTS', acceptCounterScript.sha1, saveScript.sha1)).toEqual([1, 0]);
  });
});
