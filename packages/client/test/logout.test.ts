import { afterEach, beforeEach, expect, it } from 'vitest';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, json } from './helpers/wire.js';

let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';
/** The session id of a binary session request (spec/protocol.md 4.3, offset 2). */
const sessionIdOf = (message: Uint8Array) => message.subarray(2, 18);

it('revokes the session with a sealed DELETE in the Cipherlayer header, and forgets it', async () => {
  const client = clientFor(server, { mode: 'session' });
  await client(ROUTE, json({ n: 1 }));
  const sessionId = sessionIdOf(server.exchanges.at(-1)!.body);

  await client.logout();
  const logout = server.exchanges.at(-1)!;
  expect(logout).toMatchObject({ method: 'DELETE', target: SESSION_PATH });
  expect(logout.body.length).toBe(0);
  expect(logout.rawHeaders.map((h) => h.toLowerCase())).toContain('cipherlayer');
  expect(logout.response?.status).toBe(200);
  expect(server.protocol.sessions.load(sessionId)).toBe('revoked');

  // The next request starts a new session.
  await client(ROUTE, json({ n: 2 }));
  expect(server.count('POST', SESSION_PATH)).toBe(2);
});

it('sends nothing without a session, or in stateless mode', async () => {
  await clientFor(server, { mode: 'session' }).logout();
  const stateless = clientFor(server, { mode: 'stateless' });
  await stateless(ROUTE, json({}));
  const before = server.exchanges.length;
  await stateless.logout();
  expect(server.exchanges.length).toBe(before);
});

it('a refused logout rejects, and the session is forgotten anyway', async () => {
  const client = clientFor(server, { mode: 'session' });
  await client(ROUTE, json({ n: 1 }));
  server.failNext('ERR_STORE_UNAVAILABLE', { path: SESSION_PATH });
  await expect(client.logout()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', httpStatus: 503 });
  await client(ROUTE, json({ n: 2 }));
  expect(server.count('POST', SESSION_PATH)).toBe(2);
});
