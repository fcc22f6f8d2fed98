import { randomBytes, randomUUID } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRsaSessionClient, type RsaSessionClient } from '../../src/rsa-session/client.js';
import { MemoryProfileStore, RsaKeyPool, rsaSession } from '../../src/rsa-session.js';
import { ADAPTERS, type App, send, startApp } from '../helpers/apps.js';
import { CapturingLogger } from '../helpers/logs.js';
import { errorCode, headerObject } from '../helpers/wire.js';

/**
 * rsa-session, our client against our server on every adapter: the seed's
 * phases, GET through the key header, the session checks of every request,
 * strict mode, and what is refused.
 */
const secret = randomBytes(32);
const json = { 'content-type': 'application/json' };
const SESSION_PATH = '/.well-known/cipherlayer/rsa-session';
let pool: RsaKeyPool;

beforeAll(async () => {
  // Tests make many sessions at once on a shared machine: wait for keys rather than fail with 503.
  pool = new RsaKeyPool({ size: 24, waitMs: 20_000 });
  await pool.filled();
});
afterAll(() => pool.close());

class Clock {
  offset = 0;
  readonly now = () => Date.now() + this.offset;
}

/** The client address from a header in every adapter, so that a test can move the client. */
const ipAddress = (_request: unknown, view: { header(name: string): string | undefined }) =>
  view.header('x-test-ip') ?? '10.0.0.1';

/** A transport that records what went on the wire and can rewrite answers. */
function recorder() {
  const sent: { url: string; init: RequestInit }[] = [];
  let rewrite: ((response: Response) => Response) | undefined;
  const transport = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push({ url: String(input), init });
    const response = await fetch(input, init);
    return rewrite === undefined ? response : rewrite(response);
  };
  return {
    sent,
    transport,
    set rewrite(fn: ((response: Response) => Response) | undefined) {
      rewrite = fn;
    },
  };
}

describe.each(ADAPTERS)('%s', (adapter) => {
  let app: App;
  let strict: App;
  const logger = new CapturingLogger();
  const clock = new Clock();
  const made: { deviceId: string; client: RsaSessionClient }[] = [];
  beforeAll(async () => {
    const store = new MemoryProfileStore({ clock: clock.now });
    app = await startApp(adapter, {
      profile: () =>
        rsaSession({
          jwtSecret: secret,
          pool,
          ipAddress,
          store,
          clock: clock.now,
          logger,
          maxBodyBytes: 4096,
        }) as never,
      logger,
    });
    strict = await startApp(adapter, {
      profile: () => rsaSession({ jwtSecret: secret, pool, ipAddress, mode: 'strict', logger }) as never,
    });
  });
  afterAll(async () => {
    await app.close();
    await strict.close();
  });

  function client(on: App = app, extra: Partial<Parameters<typeof createRsaSessionClient>[0]> = {}) {
    const deviceId = randomUUID();
    const made1 = createRsaSessionClient({ baseUrl: on.url, deviceId, ...extra });
    made.push({ deviceId, client: made1 });
    return { deviceId, api: made1 };
  }

  it('POST, PUT and GET travel sealed; the handler sees plaintext; the wire does not', async () => {
    const wire = recorder();
    const { api, deviceId } = client(app, { fetch: wire.transport });
    const posted = await api('/api/transfer', {
      method: 'POST',
      headers: json,
      body: '{"to":"DE89 3704","amount":12.5}',
    });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toEqual({ ok: true, to: 'DE89 3704', amount: 12.5 });
    expect(app.seen.at(-1)?.profile?.details).toEqual({ deviceId });
    const got = await api('/api/payment-details');
    expect(await got.json()).toMatchObject({ cardLast4: '4242' });
    const put = await api('/api/echo', { method: 'PUT', headers: json, body: '{"n":[1,2]}' });
    expect(await put.json()).toEqual({ body: { n: [1, 2] } });
    const [creation, post, get] = wire.sent;
    expect(creation?.url).toContain(SESSION_PATH);
    expect(Object.keys(JSON.parse(String(post?.init.body))).sort()).toEqual([
      'authTag',
      'encryptedAesKey',
      'encryptedData',
      'iv',
    ]);
    expect(String(post?.init.body)).not.toContain('DE89');
    const getHeaders = new Headers(get?.init.headers);
    expect(getHeaders.get('encrypted-aes-key')).toMatch(/^[A-Za-z0-9+/]{342}==$/);
    expect(get?.init.body).toBeUndefined();
  });

  it('require: plaintext, a GET without the key header, or a non-JSON body is 415 before the handler', async () => {
    const before = app.seen.length;
    expect(
      (await send(`${app.url}/api/transfer`, { method: 'POST', headers: json, body: '{"to":"x"}' })).status,
    ).toBe(415);
    expect((await send(`${app.url}/api/payment-details`)).status).toBe(415);
    const text = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(text.status).toBe(415);
    expect(app.seen.length).toBe(before);
  });

  it('optional: plaintext passes, a sealed request is opened and answered sealed', async () => {
    expect((await send(`${app.url}/api/public`)).json()).toEqual({ sealed: false });
    const { api } = client();
    expect(await (await api('/api/public')).json()).toEqual({ sealed: true });
  });

  it('every request is checked against its session: token, device, address', async () => {
    const wire = recorder();
    const { api } = client(app, { fetch: wire.transport });
    await api('/api/echo', { method: 'PUT', headers: json, body: '{}' });
    const last = wire.sent.at(-1) as { url: string; init: RequestInit };
    const replayWith = async (change: (headers: Headers) => void) => {
      const headers = new Headers(last.init.headers);
      change(headers);
      return await send(last.url, {
        method: 'PUT',
        headers: headerObject(headers),
        body: String(last.init.body),
      });
    };
    const token = new Headers(last.init.headers).get('authorization') as string;
    const noToken = await replayWith((h) => h.delete('authorization'));
    expect([noToken.status, errorCode(noToken.text)]).toEqual([401, 'ERR_SESSION_UNKNOWN']);
    const forged = await replayWith((h) => h.set('authorization', `${token.slice(0, -4)}AAAA`));
    expect(errorCode(forged.text)).toBe('ERR_SESSION_UNKNOWN');
    const otherDevice = await replayWith((h) => h.set('x-device-id', 'another-device'));
    expect([otherDevice.status, errorCode(otherDevice.text)]).toEqual([401, 'ERR_SESSION_BINDING']);
    const otherAddress = await replayWith((h) => h.set('x-test-ip', '10.9.9.9'));
    expect(errorCode(otherAddress.text)).toBe('ERR_SESSION_BINDING');
    // compatible mode: the same message again is accepted (the seed lets a client reuse a key)
    expect((await replayWith(() => {})).status).toBe(200);
  });

  it("a token signed with another secret, or another session's key, fails", async () => {
    const { api } = client();
    await api('/api/payment-details');
    const other = recorder();
    const { api: api2 } = client(app, { fetch: other.transport });
    await api2('/api/echo', { method: 'PUT', headers: json, body: '{"a":1}' });
    const sent = other.sent.at(-1) as { url: string; init: RequestInit };
    const body = JSON.parse(String(sent.init.body));
    body.encryptedAesKey = Buffer.from(randomBytes(256)).toString('base64');
    const headers = headerObject(sent.init.headers);
    const wrongKey = await send(sent.url, { method: 'PUT', headers, body: JSON.stringify(body) });
    expect([wrongKey.status, errorCode(wrongKey.text)]).toEqual([400, 'ERR_DECRYPT']);
  });

  it('an expired session: the client makes a new one and sends again, once; the handler runs once', async () => {
    const { api } = client();
    await api('/api/payment-details');
    clock.offset += 31 * 60_000;
    try {
      const before = app.seen.length;
      const response = await api('/api/echo', { method: 'PUT', headers: json, body: '{"again":true}' });
      expect(await response.json()).toEqual({ body: { again: true } });
      expect(app.seen.length).toBe(before + 1);
    } finally {
      clock.offset -= 31 * 60_000;
    }
  });

  it('logout ends the session on the server; a handler can end it too', async () => {
    const wire = recorder();
    const { api } = client(app, { fetch: wire.transport });
    await api('/api/echo', { method: 'PUT', headers: json, body: '{}' });
    const last = wire.sent.at(-1) as { url: string; init: RequestInit };
    await api.logout();
    const replay = await send(last.url, {
      method: 'PUT',
      headers: headerObject(last.init.headers),
      body: String(last.init.body),
    });
    expect(errorCode(replay.text)).toBe('ERR_SESSION_UNKNOWN');
    expect(await (await api('/api/logout', { method: 'POST' })).json()).toEqual({ revoked: true });
    // the next call finds the session gone, makes a new one, and goes through
    expect((await api('/api/payment-details')).status).toBe(200);
  });

  it('answers that cannot be sealed are 500 in the clear; empty ones go as they are', async () => {
    const { api } = client();
    await expect(api('/api/text')).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    expect((await api('/api/empty')).status).toBe(204);
  });

  it('a body over maxBodyBytes is refused (413) before any RSA work', async () => {
    const { api } = client();
    await expect(
      api('/api/echo', { method: 'PUT', headers: json, body: JSON.stringify({ pad: 'x'.repeat(8000) }) }),
    ).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  });

  it('session creation refuses what is not { aesKey, deviceId? }', async () => {
    const url = `${app.url}${SESSION_PATH}`;
    const key = randomBytes(32).toString('base64');
    const bad = [
      { headers: json, body: '{}' },
      { headers: json, body: JSON.stringify({ aesKey: randomBytes(16).toString('base64'), deviceId: 'd' }) },
      { headers: json, body: JSON.stringify({ aesKey: key }) },
      { headers: json, body: JSON.stringify({ aesKey: key, deviceId: 'd', extra: 1 }) },
      { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ aesKey: key, deviceId: 'd' }) },
      { headers: { ...json, 'x-device-id': 'a' }, body: JSON.stringify({ aesKey: key, deviceId: 'b' }) },
    ];
    for (const init of bad) {
      const response = await send(url, { method: 'POST', ...init });
      expect([response.status, errorCode(response.text)]).toEqual([400, 'ERR_MALFORMED']);
    }
  });

  it('strict: the safer setting, one option away', async () => {
    const wire = recorder();
    const { api } = client(strict, { mode: 'strict', fetch: wire.transport });
    expect(await (await api('/api/echo', { method: 'PUT', headers: json, body: '{"s":1}' })).json()).toEqual({
      body: { s: 1 },
    });
    const last = wire.sent.at(-1) as { url: string; init: RequestInit };
    const headers = headerObject(last.init.headers);
    // each wrapped key once
    const replay = await send(last.url, { method: 'PUT', headers, body: String(last.init.body) });
    expect([replay.status, errorCode(replay.text)]).toEqual([409, 'ERR_REPLAY']);
    // bound to method and target: the same body on another route does not open
    const wire2 = recorder();
    const { api: api2 } = client(strict, { mode: 'strict', fetch: wire2.transport });
    await api2('/api/echo', { method: 'PUT', headers: json, body: '{"to":"x","amount":1}' });
    const echo = wire2.sent.at(-1) as { url: string; init: RequestInit };
    const moved = await send(`${strict.url}/api/transfer`, {
      method: 'POST',
      headers: headerObject(echo.init.headers),
      body: String(echo.init.body),
    });
    expect(errorCode(moved.text)).toBe('ERR_DECRYPT');
    // the status is authenticated: an answer given another status does not open
    wire2.rewrite = (response) => new Response(response.body, { status: 202, headers: response.headers });
    await expect(api2('/api/echo', { method: 'PUT', headers: json, body: '{}' })).rejects.toMatchObject({
      code: 'ERR_DECRYPT',
    });
    // the device header is required on every request
    const noDevice = await send(echo.url, {
      method: 'PUT',
      headers: headerObject(echo.init.headers, ['x-device-id']),
      body: String(echo.init.body),
    });
    expect(errorCode(noDevice.text)).toBe('ERR_SESSION_BINDING');
    // and a compatible-mode client (no AAD) is refused
    const { api: loose } = client(strict);
    await expect(loose('/api/echo', { method: 'PUT', headers: json, body: '{}' })).rejects.toBeInstanceOf(
      CipherlayerError,
    );
  });

  it('a route listing cl1 and rsa-session opens rsa-session there too', async () => {
    const { api } = client();
    expect(await (await api('/api/both', { method: 'POST', headers: json, body: '{"n":1}' })).json()).toEqual(
      {
        body: { n: 1 },
        via: 'rsa-session',
      },
    );
  });

  it('logs codes only: never a token, key, device id or value', () => {
    expect(logger.codes()).toEqual(
      expect.arrayContaining(['ERR_PLAINTEXT_REJECTED', 'ERR_SESSION_BINDING', 'ERR_DECRYPT']),
    );
    for (const { deviceId } of made) expect(logger.text).not.toContain(deviceId);
    for (const secretText of ['DE89', 'eyJ', 'PRIVATE KEY', 'PUBLIC KEY', secret.toString('base64')])
      expect(logger.text).not.toContain(secretText);
  });
});
