import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProfileStore } from '../../src/redis.js';
import { createStaticKeyFetch, deriveSessionKeyFromLogin } from '../../src/static-key/browser.js';
import { StaticKeySessions, staticKey } from '../../src/static-key.js';
import { MemoryProfileStore } from '../../src/stores/memory-store.js';
import { ADAPTERS, type App, send, startApp } from '../helpers/apps.js';
import { CapturingLogger } from '../helpers/logs.js';
import { TestRedis } from '../helpers/redis.js';
import { errorCode } from '../helpers/wire.js';

/**
 * The seed's mitigation: per-session keys granted at login, wrapped under a
 * PBKDF2-SHA256 key of the password, unwrapped in Web Crypto. Iterations are
 * 100 000 here (the floor) to keep the suite fast; the default is 600 000.
 */
const ITERATIONS = 100_000;
const bounds = { minIterations: ITERATIONS };
const json = { 'content-type': 'application/json' };

class Clock {
  time = Date.now();
  readonly now = () => this.time;
}

describe('the grant', () => {
  it('is exactly { salt, iterations, wrappedKey }, and opens with the password only', async () => {
    const sessions = new StaticKeySessions({ iterations: ITERATIONS });
    const grant = await sessions.grant({ keyId: 's1', password: 'correct horse battery staple' });
    expect(Object.keys(grant).sort()).toEqual(['iterations', 'salt', 'wrappedKey']);
    expect(grant.iterations).toBe(ITERATIONS);
    expect(Buffer.from(grant.salt, 'base64').length).toBe(16);
    expect(Buffer.from(grant.wrappedKey, 'base64').length).toBe(12 + 16 + 32);
    const key = await deriveSessionKeyFromLogin('correct horse battery staple', grant, bounds);
    expect(key.extractable).toBe(false);
    expect(key.usages.sort()).toEqual(['decrypt', 'encrypt']);
    await expect(
      deriveSessionKeyFromLogin('correct horse battery stapler', grant, bounds),
    ).rejects.toMatchObject({
      code: 'ERR_DECRYPT',
    });
  });

  it('a fresh salt per grant; a per-user salt when given', async () => {
    const sessions = new StaticKeySessions({ iterations: ITERATIONS });
    const a = await sessions.grant({ keyId: 'a', password: 'pw' });
    const b = await sessions.grant({ keyId: 'b', password: 'pw' });
    expect(a.salt).not.toBe(b.salt);
    const salt = new Uint8Array(32).fill(7);
    const c = await sessions.grant({ keyId: 'c', password: 'pw', salt });
    expect(Buffer.from(c.salt, 'base64')).toEqual(Buffer.from(salt));
    await expect(
      sessions.grant({ keyId: 'd', password: 'pw', salt: new Uint8Array(8) }),
    ).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    });
  });

  it('the browser refuses grants with too few or too many iterations, or another shape', async () => {
    const sessions = new StaticKeySessions({ iterations: ITERATIONS });
    const grant = await sessions.grant({ keyId: 'x', password: 'pw' });
    await expect(deriveSessionKeyFromLogin('pw', grant)).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    await expect(
      deriveSessionKeyFromLogin('pw', grant, { minIterations: 1, maxIterations: 1000 }),
    ).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
    });
    await expect(
      deriveSessionKeyFromLogin('pw', { ...grant, kdf: 'scrypt' } as never, bounds),
    ).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
    });
  });

  it('the default is 600 000 iterations', async () => {
    const sessions = new StaticKeySessions();
    const started = performance.now();
    const grant = await sessions.grant({ keyId: 'slow', password: 'pw' });
    const serverMs = performance.now() - started;
    expect(grant.iterations).toBe(600_000);
    const browserStart = performance.now();
    await deriveSessionKeyFromLogin('pw', grant);
    console.info(
      `PBKDF2-SHA256 x 600000: grant ${serverMs.toFixed(0)} ms (node:crypto, thread pool), unwrap ${(performance.now() - browserStart).toFixed(0)} ms (Web Crypto)`,
    );
  });
});

describe.each(ADAPTERS)('%s: per-session keys', (adapter) => {
  let app: App;
  let sessions: StaticKeySessions;
  const clock = new Clock();
  const logger = new CapturingLogger();
  const grants: string[] = [];
  beforeAll(async () => {
    const store = new MemoryProfileStore({ clock: clock.now });
    sessions = new StaticKeySessions({ store, iterations: ITERATIONS, ttlMs: 60_000, clock: clock.now });
    app = await startApp(adapter, {
      profile: () =>
        staticKey({ sessions, keyId: (_request, view) => view.header('x-session-id'), logger }) as never,
      logger,
    });
  });
  afterAll(() => app.close());

  async function login(password = 'hunter2', transport?: typeof fetch) {
    const sessionId = randomUUID();
    const grant = await sessions.grant({ keyId: sessionId, password });
    grants.push(sessionId, grant.salt, grant.wrappedKey);
    const key = await deriveSessionKeyFromLogin(password, grant, bounds);
    const headers = { 'x-session-id': sessionId };
    const api = createStaticKeyFetch({
      key,
      baseUrl: app.url,
      headers,
      ...(transport ? { fetch: transport } : {}),
    });
    return { sessionId, api, key };
  }

  it('after login, requests and answers travel under the session key', async () => {
    const { api, sessionId } = await login();
    const response = await api('/api/transfer', {
      method: 'POST',
      headers: json,
      body: '{"to":"DE89","amount":3}',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true, to: 'DE89', amount: 3 });
    expect(app.seen.at(-1)?.profile?.details).toEqual({ keyId: sessionId });
    expect(await (await api('/api/payment-details')).json()).toMatchObject({ cardLast4: '4242' });
  });

  it('no session id, or an unknown one, is 401 ERR_SESSION_UNKNOWN, even for a GET', async () => {
    const none = await send(`${app.url}/api/payment-details`);
    expect(none.status).toBe(401);
    expect(errorCode(none.text)).toBe('ERR_SESSION_UNKNOWN');
    const unknown = await send(`${app.url}/api/payment-details`, { headers: { 'x-session-id': 'nope' } });
    expect(errorCode(unknown.text)).toBe('ERR_SESSION_UNKNOWN');
  });

  it('another session key cannot open my session (ERR_DECRYPT)', async () => {
    const mine = await login();
    const other = await login();
    const wrongKey = createStaticKeyFetch({
      key: other.key,
      baseUrl: app.url,
      headers: { 'x-session-id': mine.sessionId },
    });
    await expect(wrongKey('/api/echo', { method: 'PUT', headers: json, body: '{}' })).rejects.toMatchObject({
      code: 'ERR_DECRYPT',
    });
  });

  it('a replayed request body is 409 ERR_REPLAY (one IV per session key)', async () => {
    const sent: string[] = [];
    const { api, sessionId } = await login('hunter2', async (url, init) => {
      sent.push(String(init?.body));
      return await fetch(url, init);
    });
    expect((await api('/api/echo', { method: 'PUT', headers: json, body: '{"n":1}' })).status).toBe(200);
    const replay = await send(`${app.url}/api/echo`, {
      method: 'PUT',
      headers: { ...json, 'x-session-id': sessionId },
      body: sent[0] as string,
    });
    expect(replay.status).toBe(409);
    expect(errorCode(replay.text)).toBe('ERR_REPLAY');
  });

  it('logout from a handler revokes the key; the next request is 401', async () => {
    const { api } = await login();
    expect(await (await api('/api/logout', { method: 'POST' })).json()).toEqual({ revoked: true });
    await expect(api('/api/payment-details')).rejects.toMatchObject({ code: 'ERR_SESSION_UNKNOWN' });
  });

  it('an expired session key is 401', async () => {
    const { api } = await login();
    clock.time += 61_000;
    try {
      await expect(api('/api/payment-details')).rejects.toMatchObject({
        code: expect.stringMatching(/ERR_SESSION_(UNKNOWN|EXPIRED)/),
      });
    } finally {
      clock.time -= 61_000;
    }
  });

  it('logs refusals by code, never a password, session id, grant or value', () => {
    expect(logger.codes()).toEqual(
      expect.arrayContaining(['ERR_SESSION_UNKNOWN', 'ERR_DECRYPT', 'ERR_REPLAY']),
    );
    expect(grants.length).toBeGreaterThan(0);
    for (const secret of ['hunter2', 'DE89', '4242', ...grants]) expect(logger.text).not.toContain(secret);
  });
});

describe('two instances sharing Redis', () => {
  const test = new TestRedis();
  const { prefix, redis } = test;
  let apps: App[];
  beforeAll(async () => {
    await test.connect();
    const store = new RedisProfileStore(redis, { prefix, encryptionKey: new Uint8Array(32).fill(9) });
    const sessions = new StaticKeySessions({ store, iterations: ITERATIONS });
    const profile = () => staticKey({ sessions, keyId: (_r, view) => view.header('x-session-id') }) as never;
    apps = [await startApp('express', { profile }), await startApp('fastify', { profile })];
    (globalThis as { sessionsForTest?: StaticKeySessions }).sessionsForTest = sessions;
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await test.close();
  });

  it('a key granted at one instance works at the other; a body accepted at one is a replay at the other; values are sealed at rest', async () => {
    const sessions = (globalThis as { sessionsForTest?: StaticKeySessions })
      .sessionsForTest as StaticKeySessions;
    const sessionId = randomUUID();
    const grant = await sessions.grant({ keyId: sessionId, password: 'pw' });
    const key = await deriveSessionKeyFromLogin('pw', grant, bounds);
    let captured = '';
    const [first, second] = apps as [App, App];
    const api = createStaticKeyFetch({
      key,
      baseUrl: first.url,
      headers: { 'x-session-id': sessionId },
      fetch: async (url, init) => {
        captured = String(init?.body);
        return await fetch(url, init);
      },
    });
    expect((await api('/api/echo', { method: 'PUT', headers: json, body: '{"n":7}' })).status).toBe(200);
    const elsewhere = createStaticKeyFetch({
      key,
      baseUrl: second.url,
      headers: { 'x-session-id': sessionId },
    });
    expect(
      await (await elsewhere('/api/echo', { method: 'PUT', headers: json, body: '{"n":8}' })).json(),
    ).toEqual({
      body: { n: 8 },
    });
    const replay = await send(`${second.url}/api/echo`, {
      method: 'PUT',
      headers: { ...json, 'x-session-id': sessionId },
      body: captured,
    });
    expect(errorCode(replay.text)).toBe('ERR_REPLAY');
    const stored = await redis.get(`${prefix}static-key:key:${sessionId}`);
    expect(stored?.startsWith('v1.')).toBe(true);
    expect(stored).not.toContain('"k"');
  });
});
