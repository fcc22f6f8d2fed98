import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProfileStore } from '../../src/redis.js';
import { guardStore } from '../../src/stores/guarded-store.js';
import { MemoryProfileStore } from '../../src/stores/memory-store.js';
import type { ProfileStore } from '../../src/stores/profile-store.js';
import { TestRedis } from '../helpers/redis.js';

/**
 * The profile stores: the bounded memory store, the guard that makes any
 * store fail closed (503) when it throws, rejects or hangs, and the Redis
 * store against the real Redis on 127.0.0.1:6379, values sealed at rest.
 */
class Clock {
  time = 1_700_000_000_000;
  readonly now = () => this.time;
}

describe('MemoryProfileStore', () => {
  it('keeps values until their time to live; add is set-if-absent, also over an expired entry', () => {
    const clock = new Clock();
    const store = new MemoryProfileStore({ clock: clock.now });
    store.set('a', '1', 1000);
    expect(store.get('a')).toBe('1');
    expect(store.add('a', '2', 1000)).toBe(false);
    clock.time += 1000;
    expect(store.get('a')).toBeUndefined();
    expect(store.add('a', '3', 1000)).toBe(true);
    expect(store.get('a')).toBe('3');
    store.delete('a');
    expect(store.get('a')).toBeUndefined();
  });

  it('full of live entries it refuses writes (never evicts a replay entry); expired ones make room', () => {
    const clock = new Clock();
    const store = new MemoryProfileStore({ maxEntries: 2, clock: clock.now });
    store.set('a', '1', 1000);
    store.set('b', '1', 5000);
    expect(() => store.set('c', '1', 1000)).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }),
    );
    store.set('a', '2', 1000); // an existing key can be written
    clock.time += 1000;
    store.set('c', '1', 1000); // a is expired: swept
    expect(store.size).toBe(2);
    expect(store.get('b')).toBe('1');
  });

  it('sweeps expired entries as it writes', () => {
    const clock = new Clock();
    const store = new MemoryProfileStore({ clock: clock.now });
    for (let i = 0; i < 1000; i++) store.set(`old${i}`, '1', 10);
    clock.time += 10;
    for (let i = 0; i < 100; i++) store.set(`new${i}`, '1', 10_000);
    expect(store.size).toBe(100); // the 1024th write swept the 1000 expired ones
  });

  it('checks its options', () => {
    for (const options of [null, { maxEntries: 0 }, { maxEntries: 1.5 }, { clock: 1 }])
      expect(() => new MemoryProfileStore(options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG' }),
      );
  });
});

describe('guardStore', () => {
  const failing = (how: 'throw' | 'reject' | 'hang' | 'code'): ProfileStore => {
    const call = () => {
      if (how === 'throw') throw new Error('connection refused to 10.0.0.9');
      if (how === 'reject') return Promise.reject(new Error('READONLY'));
      if (how === 'code') return Promise.reject(Object.assign(new Error('x'), { code: 'ECONNRESET' }));
      return new Promise<never>(() => {});
    };
    return { get: call, set: call, add: call, delete: call } as unknown as ProfileStore;
  };

  it.each(['throw', 'reject', 'hang', 'code'] as const)(
    'a store that %ss is ERR_STORE_UNAVAILABLE',
    async (how) => {
      const store = guardStore(failing(how), 20);
      for (const call of [
        () => store.get('k'),
        () => store.set('k', 'v', 1000),
        () => store.add('k', 'v', 1000),
        () => store.delete('k'),
      ]) {
        const outcome = (async () => await call())();
        await expect(outcome).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
        await outcome.catch((error: Error) => expect(error.message).not.toContain('10.0.0.9'));
      }
    },
  );

  it('passes answers through, sync or async; leaves the memory store as it is', async () => {
    const memory = new MemoryProfileStore();
    expect(guardStore(memory, 10)).toBe(memory);
    const values = new Map<string, string>();
    const sync: ProfileStore = {
      get: (k) => values.get(k),
      set: (k, v) => {
        values.set(k, v);
      },
      add: (k, v) => {
        if (values.has(k)) return false;
        values.set(k, v);
        return true;
      },
      delete: (k) => {
        values.delete(k);
      },
    };
    const guarded = guardStore(sync, 10);
    guarded.set('a', '1', 1000);
    expect(guarded.get('a')).toBe('1');
    expect(guarded.add('a', '2', 1000)).toBe(false);
    const async: ProfileStore = {
      get: async (k) => sync.get(k),
      set: async (k, v, t) => sync.set(k, v, t),
      add: async (k, v, t) => sync.add(k, v, t),
      delete: async (k) => sync.delete(k),
    };
    const guardedAsync = guardStore(async, 1000);
    expect(await guardedAsync.get('a')).toBe('1');
    await guardedAsync.delete('a');
    expect(await guardedAsync.add('a', '3', 1000)).toBe(true);
  });
});

describe('RedisProfileStore (Redis on 127.0.0.1:6379)', () => {
  const test = new TestRedis();
  const { prefix, redis } = test;
  beforeAll(() => test.connect());
  afterAll(() => test.close());

  it('seals values at rest, bound to their key name; opens with any key of the list', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new RedisProfileStore(redis, { prefix, encryptionKey: oldKey });
    await before.set('session:1', 'PRIVATE KEY material', 60_000);
    const raw = (await redis.get(`${prefix}session:1`)) as string;
    expect(raw.startsWith('v1.')).toBe(true);
    expect(raw).not.toContain('PRIVATE');
    expect(await redis.pttl(`${prefix}session:1`)).toBeGreaterThan(59_000);
    const rotated = new RedisProfileStore(redis, { prefix, encryptionKey: [newKey, oldKey] });
    expect(await rotated.get('session:1')).toBe('PRIVATE KEY material');
    const onlyNew = new RedisProfileStore(redis, { prefix, encryptionKey: newKey });
    await expect(onlyNew.get('session:1')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    // moved to another name, it does not open
    await redis.set(`${prefix}session:2`, raw, 'PX', 60_000);
    await expect(before.get('session:2')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    // a value that is not sealed, or too short, is a store failure, never data
    await redis.set(`${prefix}session:3`, 'plain', 'PX', 60_000);
    await expect(before.get('session:3')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    await redis.set(`${prefix}session:4`, 'v1.AAAA', 'PX', 60_000);
    await expect(before.get('session:4')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(await before.get('missing')).toBeUndefined();
    await before.delete('session:1');
    expect(await before.get('session:1')).toBeUndefined();
  });

  it('add is atomic set-if-absent (the replay check); plaintext values only when asked', async () => {
    const store = new RedisProfileStore(redis, { prefix, allowPlaintextValues: true });
    expect(await store.add('jti:a', '1', 60_000)).toBe(true);
    expect(await store.add('jti:a', '1', 60_000)).toBe(false);
    expect(await redis.get(`${prefix}jti:a`)).toBe('1');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        new RedisProfileStore(redis, { prefix, allowPlaintextValues: true }).add('jti:b', '1', 60_000),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('checks its options', () => {
    const key = randomBytes(32);
    for (const [client, options] of [
      [{}, { encryptionKey: key }],
      [redis, {}],
      [redis, { encryptionKey: randomBytes(16) }],
      [redis, { encryptionKey: [] }],
      [redis, { encryptionKey: key, prefix: 'a{b}' }],
      [redis, { encryptionKey: key, allowPlaintextValues: 'yes' }],
      [redis, { encryptionKey: key, typo: 1 }],
    ] as const)
      expect(() => new RedisProfileStore(client as never, options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG' }),
      );
  });
});
