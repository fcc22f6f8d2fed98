import { toBase64Url } from '@cipherlayer/core';
import { RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRecord } from './helpers/records.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

/**
 * Whatever a record holds, load answers a record or "absent", never a crash
 * or a half-read session. The opt-out store (format 0x00, no seal) lets the
 * test write any content a bug or another version could leave behind.
 */
let scope: RedisScope;
let store: RedisSessionStore;
beforeAll(async () => {
  scope = await redisScope();
  store = new RedisSessionStore(scope.client, { prefix: scope.prefix, allowPlaintextSecrets: true });
});
afterAll(async () => {
  await scope?.close();
});

const clear = (value: unknown) =>
  Buffer.concat([Buffer.of(0), Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))]);

async function loadWith(field: 'keys' | 'attributes', value: Buffer) {
  const record = sessionRecord();
  await store.save(record, 64);
  await scope.client.hset(`${scope.prefix}session:{${toBase64Url(record.material.sessionId)}}`, field, value);
  return await store.load(record.material.sessionId);
}

const validSecrets = {
  suite: [0x20, 1, 2],
  c2sKey: toBase64Url(new Uint8Array(32).fill(1)),
  c2sIv: toBase64Url(new Uint8Array(12).fill(2)),
  s2cKey: toBase64Url(new Uint8Array(32).fill(3)),
  s2cIv: toBase64Url(new Uint8Array(12).fill(4)),
  createdAt: 1,
  expiresAt: Date.now() + 60_000,
  maxMessages: 100,
};

describe('malformed stored records', () => {
  it('keeps an attribute named __proto__ as an attribute', async () => {
    const loaded = await loadWith('attributes', clear('{"__proto__":"x","userId":"u-1"}'));
    if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
    expect(Object.keys(loaded.record.attributes).sort()).toEqual(['__proto__', 'userId']);
    expect(Object.getPrototypeOf(loaded.record.attributes)).toBe(Object.prototype);
  });

  it('reads a well-formed hand-written record (the cases below differ from it in one place)', async () => {
    expect(await loadWith('keys', clear(validSecrets))).toBeTypeOf('object');
  });

  it.each<[string, unknown]>([
    ['not JSON', '{"suite":'],
    ['not UTF-8', '\u0000'],
    ['an array', [1, 2, 3]],
    ['an unknown suite', { ...validSecrets, suite: [0x99, 1, 2] }],
    ['a suite of two ids', { ...validSecrets, suite: [0x20, 1] }],
    ['a short key', { ...validSecrets, c2sKey: toBase64Url(new Uint8Array(16)) }],
    ['a key that is not base64url', { ...validSecrets, s2cKey: '!!!' }],
    ['a missing IV', { ...validSecrets, s2cIv: undefined }],
    ['a fractional time', { ...validSecrets, createdAt: 1.5 }],
    ['a negative budget', { ...validSecrets, maxMessages: -1 }],
  ])('treats secrets with %s as absent', async (_name, value) => {
    const bytes = value === '\u0000' ? Buffer.of(0, 0xff, 0xfe) : clear(value);
    expect(await loadWith('keys', bytes)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['not JSON', 'userId='],
    ['an array', ['u-1']],
    ['a number value', { userId: 7 }],
    ['null', null],
  ])('treats attributes with %s as absent', async (_name, value) => {
    expect(await loadWith('attributes', clear(value))).toBeUndefined();
  });
});
