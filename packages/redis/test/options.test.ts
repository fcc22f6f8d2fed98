import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCode } from './helpers/protocol.js';
import { sessionRecord, storeKey } from './helpers/records.js';

// Option checks happen in the constructor, before any command: this client never connects.
const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

type SessionOptions = ConstructorParameters<typeof RedisSessionStore>[1];

/** Asserts the constructor refuses `options` with a message containing `hint`. */
async function refused(make: () => unknown, hint: string | RegExp): Promise<void> {
  const error = await expectCode(make, 'ERR_CONFIG');
  expect(error.message).toMatch(hint);
}

describe('options are checked once, when a store is created', () => {
  it('refuses to store session secrets in clear unless told to, and says what to pass', async () => {
    await refused(() => new RedisSessionStore(client), /encryptionKey is required.*allowPlaintextSecrets/);
    await refused(() => new RedisSessionStore(client, {}), /encryptionKey is required/);
    await refused(
      () => new RedisSessionStore(client, { allowPlaintextSecrets: false }),
      /encryptionKey is required/,
    );
    expect(new RedisSessionStore(client, { allowPlaintextSecrets: true })).toBeInstanceOf(RedisSessionStore);
    await refused(
      () => new RedisSessionStore(client, { encryptionKey: storeKey(), allowPlaintextSecrets: true }),
      /not both/,
    );
  });

  it.each<[string, SessionOptions, string | RegExp]>([
    ['a short key', { encryptionKey: storeKey().subarray(0, 16) }, /32 bytes/],
    ['a placeholder key', { encryptionKey: new Uint8Array(32) }, /placeholder/],
    [
      'a key list with a bad entry',
      { encryptionKey: [storeKey(), new Uint8Array(31)] },
      /encryptionKey\[1\]/,
    ],
    ['an empty key list', { encryptionKey: [] }, /non-empty list/],
    ['a key as a string', { encryptionKey: 'k'.repeat(32) as unknown as Uint8Array }, /Uint8Array/],
    ['a non-boolean opt-out', { allowPlaintextSecrets: 'yes' as unknown as boolean }, /boolean/],
    ['a prefix with a hash tag', { encryptionKey: storeKey(), prefix: 'app:{x}:' }, /"\{" or "\}"/],
    [
      'a prefix that is not a string',
      { encryptionKey: storeKey(), prefix: 7 as unknown as string },
      /string/,
    ],
    ['a zero timeout', { encryptionKey: storeKey(), timeoutMs: 0 }, /timeoutMs/],
    ['a fractional timeout', { encryptionKey: storeKey(), timeoutMs: 1.5 }, /timeoutMs/],
    ['a negative grace', { encryptionKey: storeKey(), expiredGraceMs: -1 }, /expiredGraceMs/],
    [
      'a clock that is not a function',
      { encryptionKey: storeKey(), clock: 5 as unknown as () => number },
      /clock/,
    ],
    [
      'a misspelt option',
      { encryptionkey: storeKey() } as unknown as SessionOptions,
      /no option "encryptionkey"/,
    ],
  ])('RedisSessionStore refuses %s', async (_name, options, hint) => {
    await refused(() => new RedisSessionStore(client, options), hint);
  });

  it('refuses anything but an ioredis client', async () => {
    for (const notAClient of [undefined, null, {}, { evalsha: () => 0 }, 'redis://localhost'])
      await refused(
        () => new RedisSessionStore(notAClient as unknown as Redis, { encryptionKey: storeKey() }),
        /ioredis client/,
      );
    await refused(() => new RedisReplayCache({} as unknown as Redis), /ioredis client/);
  });

  it('RedisReplayCache refuses a negative clock margin, a misspelt option, a bad prefix', async () => {
    await refused(() => new RedisReplayCache(client, { clockMarginMs: -5 }), /clockMarginMs/);
    await refused(
      () => new RedisReplayCache(client, { clockMargin: 5 } as unknown as { clockMarginMs: number }),
      /no option "clockMargin"/,
    );
    await refused(() => new RedisReplayCache(client, { prefix: '{all}' }), /"\{" or "\}"/);
    expect(new RedisReplayCache(client)).toBeInstanceOf(RedisReplayCache);
  });

  it('refuses a window size core would refuse, before any command', async () => {
    const store = new RedisSessionStore(client, { encryptionKey: storeKey() });
    for (const size of [0, 32, 100, 8192, 128.5])
      await refused(() => store.save(sessionRecord(), size), /multiple of 32 from 64 to 4096/);
  });
});
