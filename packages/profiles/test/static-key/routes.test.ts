import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticKeyFetch, importStaticKey, openStaticEnvelope } from '../../src/static-key/browser.js';
import { staticKey } from '../../src/static-key.js';
import { ADAPTERS, type App, CARD, send, startApp } from '../helpers/apps.js';
import { CapturingLogger } from '../helpers/logs.js';
import { encrypt } from '../helpers/seed002-server.js';
import { errorCode } from '../helpers/wire.js';

/** The static-key profile on every adapter, with the seed's static key: policies and refusals. */
const hex = randomBytes(32).toString('hex');
const oldHex = randomBytes(32).toString('hex');
const key = Buffer.from(hex, 'hex');
const oldKey = Buffer.from(oldHex, 'hex');
const json = { 'content-type': 'application/json' };

describe.each(ADAPTERS)('%s', (adapter) => {
  let app: App;
  let logger: CapturingLogger;
  let client: typeof fetch;
  let cryptoKey: CryptoKey;
  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await startApp(adapter, {
      profile: () => staticKey({ key: [hex, oldHex], logger }) as never,
      logger,
    });
    cryptoKey = await importStaticKey(hex);
    client = createStaticKeyFetch({ key: cryptoKey, baseUrl: app.url });
  });
  afterAll(() => app.close());

  it('seals a GET answer as { data } and opens a sealed POST body', async () => {
    const raw = await send(`${app.url}/api/payment-details`);
    expect(raw.status).toBe(200);
    expect(Object.keys(raw.json() as object)).toEqual(['data']);
    expect(raw.text).not.toContain('4242');
    expect(raw.headers.get('cache-control')).toBe('no-store');
    expect(await openStaticEnvelope(cryptoKey, (raw.json() as { data: string }).data)).toEqual(CARD);
    const posted = await client('/api/transfer', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ to: 'DE89 3704', amount: 12.5 }),
    });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toEqual({ ok: true, to: 'DE89 3704', amount: 12.5 });
    expect(app.seen.at(-1)?.body).toEqual({ to: 'DE89 3704', amount: 12.5 });
    expect(app.seen.at(-1)?.profile?.profile).toBe('static-key');
  });

  it('require: a plaintext body is 415 before the handler runs; so is a non-JSON one', async () => {
    const before = app.seen.length;
    const plain = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: '{"to":"x"}',
    });
    expect(plain.status).toBe(415);
    expect(errorCode(plain.text)).toBe('ERR_PLAINTEXT_REJECTED');
    const text = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const extra = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ data: encrypt({ to: 'x' }, key), to: 'plaintext next to it' }),
    });
    expect(extra.status).toBe(415);
    expect(app.seen.length).toBe(before);
  });

  it('a tampered, truncated or foreign envelope is 400, generic', async () => {
    const data = Buffer.from(encrypt({ to: 'x' }, key), 'base64');
    data.writeUInt8(data.readUInt8(data.length - 1) ^ 1, data.length - 1);
    const tampered = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ data: data.toString('base64') }),
    });
    expect(tampered.status).toBe(400);
    expect(errorCode(tampered.text)).toBe('ERR_DECRYPT');
    const short = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: '{"data":"AAAA"}',
    });
    expect(errorCode(short.text)).toBe('ERR_DECRYPT');
    const notBase64 = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: '{"data":"%%%"}',
    });
    expect(notBase64.status).toBe(400);
    expect(errorCode(notBase64.text)).toBe('ERR_MALFORMED');
    const foreign = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ data: encrypt({ to: 'x' }, randomBytes(32)) }),
    });
    expect(errorCode(foreign.text)).toBe('ERR_DECRYPT');
  });

  it('rotation: a request sealed with the old key opens, and its answer is sealed with that key', async () => {
    const response = await send(`${app.url}/api/echo`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ data: encrypt({ v: 1 }, oldKey) }),
    });
    expect(response.status).toBe(200);
    const data = (response.json() as { data: string }).data;
    expect(await openStaticEnvelope(await importStaticKey(oldHex), data)).toEqual({ body: { v: 1 } });
    await expect(openStaticEnvelope(cryptoKey, data)).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
  });

  it('optional: plaintext passes both ways; a bodiless request that announces the profile is sealed', async () => {
    const plain = await send(`${app.url}/api/public`);
    expect(plain.json()).toEqual({ sealed: false });
    expect(plain.headers.get('vary')).toContain('Cipherlayer-Profile');
    const posted = await send(`${app.url}/api/public`, {
      method: 'POST',
      headers: json,
      body: '{"hello":1}',
    });
    expect(posted.json()).toEqual({ body: { hello: 1 }, sealed: false });
    const announced = await client('/api/public');
    expect(await announced.json()).toEqual({ sealed: true });
    const sealedPost = await client('/api/public', { method: 'POST', headers: json, body: '{"hello":2}' });
    expect(await sealedPost.json()).toEqual({ body: { hello: 2 }, sealed: true });
  });

  it('a non-JSON answer cannot be sealed in this format: 500 in the clear, never the text', async () => {
    const response = await send(`${app.url}/api/text`);
    expect(response.status).toBe(500);
    expect(errorCode(response.text)).toBe('ERR_INTERNAL');
    expect(response.text).not.toContain('hello');
  });

  it('an empty answer goes out as it is (nothing to protect)', async () => {
    const response = await client('/api/empty');
    expect(response.status).toBe(204);
  });

  it('a route listing cl1 and static-key opens static-key envelopes there too', async () => {
    const response = await client('/api/both', { method: 'POST', headers: json, body: '{"n":1}' });
    expect(await response.json()).toEqual({ body: { n: 1 }, via: 'static-key' });
    const onCl1 = await send(`${app.url}/api/cl1`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ data: encrypt({ n: 2 }, key) }),
    });
    expect(onCl1.status).toBe(415);
  });

  it('logs refusals by code, never a body, value or key', () => {
    expect(logger.codes()).toContain('ERR_PLAINTEXT_REJECTED');
    expect(logger.codes()).toContain('ERR_DECRYPT');
    for (const secret of [hex, oldHex, key.toString('base64'), 'DE89 3704', '4242', 'hello in the clear'])
      expect(logger.text).not.toContain(secret);
  });
});
