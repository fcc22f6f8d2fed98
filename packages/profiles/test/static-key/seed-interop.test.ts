import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaticKeyFetch,
  importStaticKey,
  openStaticEnvelope,
  sealStaticEnvelope,
} from '../../src/static-key/browser.js';
import { openData, sealData, splitData } from '../../src/static-key/envelope.js';
import { staticKey } from '../../src/static-key.js';
import { ADAPTERS, type App, CARD, send, startApp } from '../helpers/apps.js';
import { CryptoService, environment, seedInterceptor } from '../helpers/seed002-crypto-service.js';
import { encrypt, startSeedServer } from '../helpers/seed002-server.js';

/**
 * Seed 002, both directions, with the seed's own code (test/helpers/seed002-*.ts):
 * its Angular CryptoService (on Node's Web Crypto) opens what our server
 * seals, and our client opens what the seed's Express middleware seals.
 */
const hex = randomBytes(32).toString('hex');
const key = Buffer.from(hex, 'hex');

describe('the envelope, byte for byte', () => {
  it("our node:crypto seal opens with the seed's CryptoService, and the seed's encrypt() opens with ours", async () => {
    environment.aesKey = hex;
    const service = new CryptoService();
    const value = { cardLast4: '4242', nested: { a: [1, 2, 3] }, text: 'ünïcødé ✓' };
    expect(await service.decrypt(sealData(key, Buffer.from(JSON.stringify(value))))).toEqual(value);
    const seedData = encrypt(value, key);
    expect(JSON.parse(openData([key], splitData(seedData)).plaintext.toString('utf8'))).toEqual(value);
  });

  it("our Web Crypto seal opens with the seed's CryptoService, and the seed's encrypt() opens with it", async () => {
    environment.aesKey = hex;
    const service = new CryptoService();
    const cryptoKey = await importStaticKey(hex);
    expect(await service.decrypt(await sealStaticEnvelope(cryptoKey, CARD))).toEqual(CARD);
    expect(await openStaticEnvelope(cryptoKey, encrypt(CARD, key))).toEqual(CARD);
  });

  it('the layout is iv(12) ‖ tag(16) ‖ ciphertext, in standard padded base64', () => {
    const data = sealData(key, Buffer.from('{"a":1}'));
    const bytes = Buffer.from(data, 'base64');
    expect(bytes.length).toBe(12 + 16 + 7);
    expect(bytes.toString('base64')).toBe(data);
  });
});

describe.each(ADAPTERS)("our server (%s) ← the seed's Angular client", (adapter) => {
  let app: App;
  beforeAll(async () => {
    app = await startApp(adapter, { profile: () => staticKey({ key: hex }) as never });
    environment.aesKey = hex;
  });
  afterAll(() => app.close());

  it("GET /api/payment-details: the seed's interceptor gets the card; the wire has only { data }", async () => {
    const response = await send(`${app.url}/api/payment-details`);
    expect(response.text).not.toContain('4242');
    expect(await seedInterceptor(response.json(), new CryptoService())).toEqual(CARD);
  });

  it("a request body sealed with the seed's encrypt() is opened for the route, the answer read by the seed's service", async () => {
    const response = await send(`${app.url}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: encrypt({ to: 'DE89', amount: 5 }, key) }),
    });
    expect(response.status).toBe(201);
    expect(await seedInterceptor(response.json(), new CryptoService())).toEqual({
      ok: true,
      to: 'DE89',
      amount: 5,
    });
  });
});

describe("the seed's Express server → our client", () => {
  let seed: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    process.env.AES_KEY = hex;
    seed = await startSeedServer();
  });
  afterAll(() => seed.close());

  it('our fetch opens what encryptResponse sealed (requests in the clear: the seed reads plain bodies)', async () => {
    const api = createStaticKeyFetch({
      key: await importStaticKey(hex),
      baseUrl: seed.url,
      sealRequests: false,
    });
    const response = await api('/api/payment-details');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(CARD);
  });

  it('our client refuses an answer of the seed server under another key (ERR_DECRYPT), never hands it on', async () => {
    const api = createStaticKeyFetch({
      key: await importStaticKey(randomBytes(32).toString('hex')),
      baseUrl: seed.url,
      sealRequests: false,
    });
    await expect(api('/api/payment-details')).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
  });
});
