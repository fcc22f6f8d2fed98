import { nodeBackend } from '@cipherlayer/core/node';
import { webCryptoBackend } from '@cipherlayer/core/webcrypto';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { platformBackend } from '../src/platform-backend.js';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor, json } from './helpers/wire.js';

let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

it('in Node the platform backend is node:crypto', async () => {
  expect(await platformBackend()).toBe(nodeBackend);
});

it('a client that is not told which backend to use seals with node:crypto here', async () => {
  const seal = vi.spyOn(nodeBackend, 'seal');
  const subtleEncrypt = vi.spyOn(globalThis.crypto.subtle, 'encrypt');
  const client = clientFor(server, { mode: 'session' });
  await client('/api/x', json({ n: 1 }));
  expect(seal).toHaveBeenCalled();
  expect(subtleEncrypt).not.toHaveBeenCalled();
});

it('an explicit backend is used instead (Web Crypto works in Node too)', async () => {
  const subtleEncrypt = vi.spyOn(globalThis.crypto.subtle, 'encrypt');
  const client = clientFor(server, { mode: 'session', backend: webCryptoBackend });
  expect((await client('/api/x', json({ n: 1 }))).status).toBe(200);
  expect(subtleEncrypt).toHaveBeenCalled();
});
