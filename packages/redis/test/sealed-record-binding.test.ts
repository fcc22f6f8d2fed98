import { toBase64Url } from '@cipherlayer/core';
import { RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRecord, storeKey } from './helpers/records.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
let store: RedisSessionStore;
beforeAll(async () => {
  scope = await redisScope();
  store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
});
afterAll(async () => {
  await scope?.close();
});

const keyOf = (id: Uint8Array) => `${scope.prefix}session:{${toBase64Url(id)}}`;

describe('sealed fields are bound to their session and their field', () => {
  it('does not open a sealed field copied from another session', async () => {
    const victim = sessionRecord({ attributes: { userId: 'alice' } });
    const attacker = sessionRecord({ attributes: { userId: 'mallory' } });
    await store.save(victim, 128);
    await store.save(attacker, 128);
    // Someone who can write Redis but lacks the store key copies Alice's keys into Mallory's session.
    const stolen = await scope.client.hgetBuffer(keyOf(victim.material.sessionId), 'keys');
    await scope.client.hset(keyOf(attacker.material.sessionId), 'keys', stolen!);
    expect(await store.load(attacker.material.sessionId)).toBeUndefined();
  });

  it('does not open one field as another, nor a tampered or truncated value', async () => {
    const record = sessionRecord({ attributes: { userId: 'bob' } });
    await store.save(record, 128);
    const key = keyOf(record.material.sessionId);
    const [keys, attributes] = await scope.client.hmgetBuffer(key, 'keys', 'attributes');

    await scope.client.hset(key, 'attributes', keys!);
    expect(await store.load(record.material.sessionId)).toBeUndefined();

    const flipped = Buffer.from(attributes!);
    flipped[flipped.length - 20]! ^= 1;
    await scope.client.hset(key, 'attributes', flipped);
    expect(await store.load(record.material.sessionId)).toBeUndefined();

    await scope.client.hset(key, 'attributes', attributes!.subarray(0, 20));
    expect(await store.load(record.material.sessionId)).toBeUndefined();

    await scope.client.hset(key, 'attributes', attributes!);
    expect(await store.load(record.material.sessionId)).toBeTypeOf('object');
  });
});
