import { afterEach, beforeEach, expect, it } from 'vitest';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor } from './helpers/wire.js';

/**
 * A server may bind sessions to values it reads from request headers (a
 * device id, a token, a cookie: @cipherlayer/server's `sessionAttributes`),
 * taken at the handshake and compared on every session request, the logout
 * included. So the handshake carries the headers of the request that needs
 * the session, and the logout those of the session's latest request.
 * Without that, every request of such a session was 401 ERR_SESSION_BINDING.
 */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start({
    sessionAttributes: (req) => ({ device: String(req.headers['x-device-id'] ?? '') }),
  });
});
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/balance';
const headersOf = (rawHeaders: readonly string[]) => {
  const out: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) out[rawHeaders[i]!.toLowerCase()] = rawHeaders[i + 1]!;
  return out;
};

it('the handshake carries the headers of the request that needs the session', async () => {
  const client = clientFor(server, { mode: 'session', encoding: 'json' });
  const headers = { 'x-device-id': 'device-7', authorization: 'Bearer t0ken' };
  expect((await client(ROUTE, { headers })).status).toBe(200);
  expect((await client(ROUTE, { headers })).status).toBe(200);

  const handshakes = server.exchanges.filter((e) => e.method === 'POST' && e.target === SESSION_PATH);
  expect(handshakes).toHaveLength(1);
  expect(headersOf(handshakes[0]!.rawHeaders)).toMatchObject({
    'x-device-id': 'device-7',
    authorization: 'Bearer t0ken',
    'content-type': 'application/cipherlayer+json',
    accept: 'application/cipherlayer+json',
  });
  expect(headersOf(handshakes[0]!.rawHeaders).cipherlayer).toBeUndefined();
});

it("the logout carries the headers of the session's latest request, and revokes it", async () => {
  const client = clientFor(server, { mode: 'session' });
  await client(ROUTE, { headers: { 'x-device-id': 'device-7' } });
  await client.logout();
  const logout = server.exchanges.at(-1)!;
  expect(logout).toMatchObject({ method: 'DELETE', target: SESSION_PATH });
  expect(headersOf(logout.rawHeaders)['x-device-id']).toBe('device-7');
  expect(logout.response?.status).toBe(200);
});

it('a request with another value is still refused, and the next one handshakes with its own headers', async () => {
  const client = clientFor(server, { mode: 'session' });
  await client(ROUTE, { headers: { 'x-device-id': 'device-7' } });
  await expect(client(ROUTE, { headers: { 'x-device-id': 'device-8' } })).rejects.toMatchObject({
    code: 'ERR_SESSION_BINDING',
    httpStatus: 401,
  });
  expect((await client(ROUTE, { headers: { 'x-device-id': 'device-8' } })).status).toBe(200);
  expect(server.count('POST', SESSION_PATH)).toBe(2);
});
