import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProfileStore } from '../../src/redis.js';
import { createRsaSessionClient } from '../../src/rsa-session/client.js';
import { RsaKeyPool, rsaSession } from '../../src/rsa-session.js';
import { type App, send, startApp } from '../helpers/apps.js';
import { TestRedis } from '../helpers/redis.js';
import { errorCode, headerObject } from '../helpers/wire.js';

/** rsa-session on two instances sharing Redis: sessions, revocation and strict replay checks across both. */
const json = { 'content-type': 'application/json' };

describe('two instances (Express, Fastify) sharing Redis', () => {
  const test = new TestRedis();
  const { prefix, redis } = test;
  let pool: RsaKeyPool;
  let apps: [App, App];
  beforeAll(async () => {
    await test.connect();
    pool = new RsaKeyPool({ size: 4, waitMs: 20_000 });
    const store = new RedisProfileStore(redis, { prefix, encryptionKey: randomBytes(32) });
    const secret = randomBytes(32);
    const profile = () => rsaSession({ jwtSecret: secret, store, pool, mode: 'strict' }) as never;
    apps = [await startApp('express', { profile }), await startApp('fastify', { profile })];
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await pool.close();
    await test.close();
  });

  it('a session made at one works at the other; a message accepted at one is a replay at the other', async () => {
    const deviceId = randomUUID();
    const sent: { url: string; init: RequestInit }[] = [];
    const atFirst = createRsaSessionClient({
      baseUrl: apps[0].url,
      deviceId,
      mode: 'strict',
      fetch: async (input, init = {}) => {
        sent.push({ url: String(input), init });
        // the balancer: every request after the session's creation goes to the second instance
        const url = sent.length > 1 ? String(input).replace(apps[0].url, apps[1].url) : String(input);
        return await fetch(url, init);
      },
    });
    const response = await atFirst('/api/echo', { method: 'PUT', headers: json, body: '{"n":1}' });
    expect(await response.json()).toEqual({ body: { n: 1 } });
    expect(apps[1].seen.at(-1)?.body).toEqual({ n: 1 });
    const last = sent.at(-1) as { url: string; init: RequestInit };
    const replay = await send(last.url, {
      method: 'PUT',
      headers: headerObject(last.init.headers),
      body: String(last.init.body),
    });
    expect(errorCode(replay.text)).toBe('ERR_REPLAY');
  });

  it('private keys are sealed at rest in Redis', async () => {
    const names = await redis.keys(`${prefix}rsa-session:s:*`);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const value = (await redis.get(name)) as string;
      expect(value.startsWith('v1.')).toBe(true);
      expect(value).not.toContain('PRIVATE KEY');
    }
  });
});
