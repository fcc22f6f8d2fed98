import * as nodeCrypto from 'node:crypto';
import { randomBytes, randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from '@cipherlayer/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { block, readMarkedBlocks } from '../../../../tests/docs/helpers/marked-blocks.js';
import { createJweClient } from '../../src/jwe/client.js';
import { generateSeedKeys } from '../../src/jwe.js';
import { createRsaSessionClient } from '../../src/rsa-session/client.js';
import { createStaticKeyFetch, importStaticKey } from '../../src/static-key/browser.js';
import { seedCreateSession } from '../helpers/seed001-client.js';
import { jweService } from '../helpers/seed004.js';

/**
 * The "Migrating to cl1" block of each docs/profiles/*.md page, run as
 * written (read from the Markdown, never copied here): the module is
 * imported with its secrets in the environment, its app served on a free
 * port instead of 3000, and then the seed's client (through our profile
 * client, or node-jose as seed 004 writes it) and the cl1 client both talk
 * to the same routes. rsa-session's GET snippet (the seed's own primitives
 * and the Encrypted-Aes-Key header) runs as written too, its free names
 * (`token`, `bePublicKey`, `deviceId`) given by the seed's phase 1.
 */
const DOCS = fileURLToPath(new URL('../../../../docs/profiles/', import.meta.url));
const LISTEN = 'app.listen(3000);';
const json = { 'content-type': 'application/json' };
const written: string[] = [];

const aesHex = randomBytes(32).toString('hex');
const seedKeys = generateSeedKeys();

beforeAll(() => {
  process.env.JWT_SECRET = randomBytes(32).toString('base64');
  process.env.AES_KEY = aesHex;
  process.env.JWE_PRIVATE_KEY = seedKeys.privateKey;
});
afterAll(async () => {
  for (const file of written) await rm(file, { force: true });
});

/** Imports the page's marked block as a module; the app it builds, served on 127.0.0.1. */
async function serveBlock(page: string): Promise<{ url: string; server: Server }> {
  const { code } = block(readMarkedBlocks(`${DOCS}${page}`), 'migrate-express');
  expect(code.trimEnd().endsWith(LISTEN)).toBe(true);
  const file = fileURLToPath(new URL(`./.snippet-${page}-${randomUUID()}.mjs`, import.meta.url));
  written.push(file);
  await writeFile(file, code.replace(LISTEN, 'export default app;'));
  const { default: app } = (await import(/* @vite-ignore */ file)) as { default: RequestListener };
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** The page's block served for the tests of one describe; its URL once started. */
function servedBlock(page: string): { url: string } {
  const served = { url: '' };
  let server: Server | undefined;
  beforeAll(async () => {
    const started = await serveBlock(page);
    served.url = started.url;
    server = started.server;
  });
  afterAll(async () => {
    if (server !== undefined) await close(server);
  });
  return served;
}

describe('docs/profiles/rsa-session.md', () => {
  const served = servedBlock('rsa-session.md');

  it('the seed’s client and the cl1 client use the same routes', async () => {
    const legacy = createRsaSessionClient({ baseUrl: served.url, deviceId: randomUUID() });
    const body = JSON.stringify({ to: 'DE89 3704', amount: 1 });
    const old = await legacy('/api/transfer', { method: 'POST', headers: json, body });
    expect([old.status, await old.json()]).toEqual([201, { ok: true, to: 'DE89 3704', via: 'rsa-session' }]);
    expect(await (await legacy('/api/balance')).json()).toEqual({ balance: 2000.5 });
    const cl1 = createClient({ baseUrl: served.url, mode: 'session' });
    const moved = await cl1('/api/transfer', { method: 'POST', headers: json, body });
    expect([moved.status, await moved.json()]).toEqual([201, { ok: true, to: 'DE89 3704', via: 'cl1' }]);
    expect(await (await cl1('/api/balance')).json()).toEqual({ balance: 2000.5 });
  });

  it('the Encrypted-Aes-Key snippet, after the seed’s phase 1, gets a sealed answer and opens it', async () => {
    const { code } = block(readMarkedBlocks(`${DOCS}rsa-session.md`), 'get-with-seed-primitives');
    const deviceId = randomUUID();
    const session = await seedCreateSession(`${served.url}/.well-known/cipherlayer/rsa-session`, deviceId);
    const seen: string[] = [];
    // the snippet's free names: what the seed's client has after phase 1, and a fetch on the page's origin
    const pageFetch = async (path: string, init: RequestInit) => {
      const response = await fetch(`${served.url}${path}`, init);
      seen.push(await response.clone().text());
      return response;
    };
    const AsyncFunction = (async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<unknown>;
    const run = new AsyncFunction(
      'crypto',
      'fetch',
      'bePublicKey',
      'token',
      'deviceId',
      `${code}\nreturn balance;`,
    );
    expect(await run(nodeCrypto, pageFetch, session.publicKey, session.token, deviceId)).toEqual({
      balance: 2000.5,
    });
    expect(Object.keys(JSON.parse(seen[0] as string)).sort()).toEqual(['authTag', 'encryptedData', 'iv']);
    expect(seen[0]).not.toContain('2000.5');
  });
});

describe('docs/profiles/static-key.md', () => {
  const served = servedBlock('static-key.md');

  it('an old bundle (the seed’s key) and the cl1 client use the same routes', async () => {
    const legacy = createStaticKeyFetch({ key: await importStaticKey(aesHex), baseUrl: served.url });
    expect(await (await legacy('/api/payment-details')).json()).toMatchObject({
      cardLast4: '4242',
      via: 'static-key',
    });
    const body = JSON.stringify({ to: 'DE89 3704' });
    expect(await (await legacy('/api/transfer', { method: 'POST', headers: json, body })).json()).toEqual({
      ok: true,
      to: 'DE89 3704',
    });
    const cl1 = createClient({ baseUrl: served.url, mode: 'stateless' });
    expect(await (await cl1('/api/payment-details')).json()).toMatchObject({ cardLast4: '4242', via: 'cl1' });
    expect((await cl1('/api/transfer', { method: 'POST', headers: json, body })).status).toBe(201);
  });
});

describe('docs/profiles/jwe.md', () => {
  const served = servedBlock('jwe.md');

  it('seed 004’s createJWEToken, our jwe client and the cl1 client use the same route', async () => {
    const token = (await jweService.createJWEToken({ userId: 123, score: 7 }, seedKeys.publicKey)) as string;
    const seed = await fetch(`${served.url}/api/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: token,
    });
    expect([seed.status, await seed.json()]).toEqual([201, { saved: 7, via: 'jwe' }]);
    const bad = await fetch(`${served.url}/api/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: 'x',
    });
    expect(bad.status).toBe(422);
    const ours = createJweClient({ baseUrl: served.url }); // finds the key in the JWK Set the block serves
    const body = JSON.stringify({ score: 8 });
    expect(await (await ours('/api/score', { method: 'POST', headers: json, body })).json()).toEqual({
      saved: 8,
      via: 'jwe',
    });
    const cl1 = createClient({ baseUrl: served.url, mode: 'stateless' });
    expect(await (await cl1('/api/score', { method: 'POST', headers: json, body })).json()).toEqual({
      saved: 8,
      via: 'cl1',
    });
  });
});
