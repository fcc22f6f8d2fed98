import { afterEach, beforeEach, expect, it } from 'vitest';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor, json } from './helpers/wire.js';

/**
 * A response that is not a cl1 message, or that does not open for this
 * request, never reaches the caller as a Response: it is an error, and
 * nothing is resent.
 */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';

it.each([
  ['an HTML error page from a proxy', 502, { 'content-type': 'text/html' }, '<h1>Bad gateway</h1>'],
  ['plaintext JSON', 200, { 'content-type': 'application/json' }, '{"balance":1000000}'],
  [
    'a cipherlayer error body under the wrong status',
    200,
    { 'content-type': 'application/json' },
    '{"error":{"code":"ERR_SESSION_UNKNOWN","message":"unknown session"}}',
  ],
  ['an unknown error code', 400, { 'content-type': 'application/json' }, '{"error":{"code":"ERR_NOPE"}}'],
  ['a 204 without a body', 204, {}, undefined],
  ['an empty cl1 body', 200, { 'content-type': 'application/cipherlayer' }, ''],
] as const)('%s: rejected, not retried', async (_name, status, headers, body) => {
  const client = clientFor(server, { mode: 'session' });
  server.override((res) => res.writeHead(status, headers).end(body), 2, ROUTE);
  const failure = await client(ROUTE, json({ n: 1 })).catch((error: unknown) => error);
  expect(failure).toMatchObject({
    code: body === '' ? 'ERR_MALFORMED' : 'ERR_PLAINTEXT_REJECTED',
    ...(body === '' ? {} : { httpStatus: status }),
  });
  expect(server.count('POST', ROUTE)).toBe(1);
});

it('a JSON message that is not UTF-8 is malformed', async () => {
  const client = clientFor(server, { mode: 'stateless', encoding: 'json' });
  server.override(
    (res) =>
      res.writeHead(200, { 'content-type': 'application/cipherlayer+json' }).end(Buffer.from([0xff, 0xfe])),
    1,
    ROUTE,
  );
  await expect(client(ROUTE, json({}))).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
});

it("another request's sealed response does not open: ERR_DECRYPT", async () => {
  const client = clientFor(server, { mode: 'stateless' });
  await client(ROUTE, json({ n: 1 }));
  const earlier = server.exchanges.at(-1)!.response!;
  server.override(
    (res) => res.writeHead(200, { 'content-type': earlier.headers['content-type']! }).end(earlier.body),
    1,
    ROUTE,
  );
  await expect(client(ROUTE, json({ n: 2 }))).rejects.toMatchObject({ code: 'ERR_DECRYPT' });
  expect(server.count('POST', ROUTE)).toBe(2);
});

it('a sealed redirect is handed to the caller, not followed', async () => {
  server.app = () => ({
    status: 303,
    headers: { location: '/api/receipt/9' },
    contentType: 'text/plain',
    body: 'see receipt',
  });
  const client = clientFor(server, { mode: 'stateless' });
  const response = await client(ROUTE, json({ n: 1 }));
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/api/receipt/9');
  expect(await response.text()).toBe('see receipt');
  expect(server.count('GET', '/api/receipt/9')).toBe(0);
});

it("an application's own error status is a normal, decrypted Response", async () => {
  server.app = () => ({ status: 422, contentType: 'application/json', body: '{"field":"amount"}' });
  const client = clientFor(server, { mode: 'session' });
  const response = await client(ROUTE, json({ n: 1 }));
  expect(response.status).toBe(422);
  expect(response.ok).toBe(false);
  expect(await response.json()).toEqual({ field: 'amount' });
});
