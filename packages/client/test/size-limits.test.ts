import { afterEach, beforeEach, expect, it } from 'vitest';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor } from './helpers/wire.js';

/** maxBodyBytes bounds the plaintext both ways; a request over it is refused before anything is sent. */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const LIMIT = 1024;

it('a body of exactly the limit is sent', async () => {
  const client = clientFor(server, { mode: 'stateless', maxBodyBytes: LIMIT });
  expect((await client('/api/upload', { method: 'POST', body: 'x'.repeat(LIMIT) })).status).toBe(200);
});

it.each([
  ['a string', () => 'x'.repeat(LIMIT + 1)],
  ['bytes', () => new Uint8Array(LIMIT + 1)],
])('%s one byte over the limit is refused locally: nothing reaches the network', async (_kind, body) => {
  const client = clientFor(server, { mode: 'session', maxBodyBytes: LIMIT });
  await expect(client('/api/upload', { method: 'POST', body: body() })).rejects.toMatchObject({
    code: 'ERR_TOO_LARGE',
  });
  expect(server.exchanges).toHaveLength(0);
});

it('a stream is cut as soon as it passes the limit, and never sent', async () => {
  const client = clientFor(server, { mode: 'stateless', maxBodyBytes: LIMIT });
  let pulled = 0;
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(256));
    },
    cancel() {
      cancelled = true;
    },
  });
  const init = { method: 'POST', body: endless, duplex: 'half' } as RequestInit;
  await expect(client('/api/upload', init)).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  expect(cancelled).toBe(true);
  expect(pulled).toBeLessThan(10);
  expect(server.exchanges).toHaveLength(0);
});

it('a response over the limit is refused without being opened', async () => {
  server.app = () => ({ contentType: 'text/plain', body: 'y'.repeat(4 * LIMIT) });
  const serverLimitClient = clientFor(server, { mode: 'stateless', maxBodyBytes: LIMIT });
  await expect(serverLimitClient('/api/download')).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  expect(server.count('GET', '/api/download')).toBe(1);
});
