import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJweClient } from '../../src/jwe/client.js';
import { generateJweKeyPair, JweKeySet, jwe } from '../../src/jwe.js';
import { RedisProfileStore } from '../../src/redis.js';
import { type App, send, startApp } from '../helpers/apps.js';
import { TestRedis } from '../helpers/redis.js';
import { errorCode } from '../helpers/wire.js';

/** jwe strict mode on two instances sharing Redis: a `jti` accepted at one is a replay at the other. */
const json = { 'content-type': 'application/json' };

describe('two instances (Express, Fastify) sharing Redis, strict mode', () => {
  const test = new TestRedis();
  const { prefix, redis } = test;
  let apps: [App, App];
  let publicJwk: Awaited<ReturnType<typeof generateJweKeyPair>>['publicJwk'];
  beforeAll(async () => {
    await test.connect();
    const key = await generateJweKeyPair('P-256');
    publicJwk = key.publicJwk;
    const keys = await JweKeySet.from([{ privateKey: key.privateKey }]);
    const store = new RedisProfileStore(redis, { prefix, encryptionKey: randomBytes(32) });
    const profile = () => jwe({ keys, mode: 'strict', store }) as never;
    apps = [await startApp('express', { profile }), await startApp('fastify', { profile })];
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await test.close();
  });

  it('a request opened at one instance is refused at the other (409), and its jti is in Redis', async () => {
    const sent: { url: string; init: RequestInit }[] = [];
    const api = createJweClient({
      baseUrl: apps[0].url,
      serverKey: publicJwk,
      mode: 'strict',
      fetch: async (input, init = {}) => {
        sent.push({ url: String(input), init });
        return await fetch(input, init);
      },
    });
    const response = await api('/api/echo', { method: 'PUT', headers: json, body: '{"n":1}' });
    expect(await response.json()).toEqual({ body: { n: 1 } });
    const last = sent.at(-1) as { url: string; init: RequestInit };
    const replay = await send(last.url.replace(apps[0].url, apps[1].url), {
      method: 'PUT',
      headers: { 'content-type': 'application/jose' },
      body: String(last.init.body),
    });
    expect([replay.status, errorCode(replay.text)]).toEqual([409, 'ERR_REPLAY']);
    expect(apps[1].seen).toHaveLength(0);
    expect(await redis.keys(`${prefix}jwe:jti:*`)).toHaveLength(1);
  });
});
