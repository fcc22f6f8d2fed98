import { RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRecord, storeKey } from './helpers/records.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
beforeAll(async () => {
  scope = await redisScope();
});
afterAll(async () => {
  await scope?.close();
});

describe('store key rotation', () => {
  it('seals with the first key, opens with any; a session under a key no longer listed is absent', async () => {
    const oldKey = storeKey();
    const newKey = storeKey();
    const store = (encryptionKey: Uint8Array | Uint8Array[]) =>
      new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey });
    const before = store(oldKey);
    const during = store([newKey, oldKey]);
    const after = store(newKey);

    const early = sessionRecord({ attributes: { userId: 'u-1' } });
    await before.save(early, 128);
    const late = sessionRecord({ attributes: { userId: 'u-2' } });
    await during.save(late, 128);

    // During the overlap both sessions work; the new one is sealed under the new key only.
    for (const record of [early, late]) {
      const loaded = await during.load(record.material.sessionId);
      if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
      expect(loaded.record).toEqual(record);
    }
    expect(await before.load(late.material.sessionId)).toBeUndefined();
    expect(await after.load(late.material.sessionId)).toBeTypeOf('object');
    // Once the old key is dropped, its sessions count as absent: their clients handshake again.
    expect(await after.load(early.material.sessionId)).toBeUndefined();
  });

  it('treats a record sealed under an unknown key as absent, not as an error', async () => {
    const record = sessionRecord();
    await new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() }).save(
      record,
      64,
    );
    const stranger = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
    expect(await stranger.load(record.material.sessionId)).toBeUndefined();
  });
});
