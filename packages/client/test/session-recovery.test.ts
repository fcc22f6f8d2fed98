import { afterEach, expect, it } from 'vitest';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, json } from './helpers/wire.js';

/** Sessions that end for real (restart, expiry, message budget): one new handshake, no failed request when the client can tell. */
let server: ServerDouble;
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';

it('the server lost the session (restart): ERR_SESSION_UNKNOWN, one new handshake, the request succeeds', async () => {
  server = await ServerDouble.start();
  const client = clientFor(server, { mode: 'session' });
  await client(ROUTE, json({ n: 1 }));
  server.restart();
  expect((await client(ROUTE, json({ n: 2 }))).status).toBe(200);
  expect(server.count('POST', SESSION_PATH)).toBe(2);
  expect(server.count('POST', ROUTE)).toBe(3);
});

it('the message budget is used up: the client handshakes before sending, no request is refused', async () => {
  server = await ServerDouble.start({ session: { maxMessages: 3 } });
  const client = clientFor(server, { mode: 'session' });
  for (let n = 0; n < 7; n++) expect((await client(ROUTE, json({ n }))).status).toBe(200);
  expect(server.count('POST', SESSION_PATH)).toBe(3);
  expect(server.count('POST', ROUTE)).toBe(7);
  expect(server.exchanges.every((e) => e.response?.status === 200)).toBe(true);
});

it('the session expired by the client clock: a new handshake before sending', async () => {
  let now = Date.now();
  const clock = () => now;
  server = await ServerDouble.start({ clock, session: { ttlMs: 60_000 } });
  const client = clientFor(server, { mode: 'session', clock });
  await client(ROUTE, json({ n: 1 }));
  now += 61_000;
  expect((await client(ROUTE, json({ n: 2 }))).status).toBe(200);
  expect(server.count('POST', SESSION_PATH)).toBe(2);
  expect(server.count('POST', ROUTE)).toBe(2);
});

it('the session expired by the server clock only: ERR_SESSION_EXPIRED, one new handshake', async () => {
  // The client's clock lags 20 s: inside the 30 s window for handshakes, but it thinks the session still lives.
  let now = Date.now();
  server = await ServerDouble.start({ clock: () => now, session: { ttlMs: 60_000 } });
  const client = clientFor(server, { mode: 'session', clock: () => now - 20_000 });
  await client(ROUTE, json({ n: 1 }));
  now += 65_000;
  const response = await client(ROUTE, json({ n: 2 }));
  expect(response.status).toBe(200);
  expect(server.exchanges.filter((e) => e.target === ROUTE).map((e) => e.response?.status)).toEqual([
    200, 401, 200,
  ]);
  expect(server.count('POST', SESSION_PATH)).toBe(2);
});
