import { afterAll, beforeAll, expect, it } from 'vitest';
import { DISCOVERY_PATH, SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, echoed, json } from './helpers/wire.js';

let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});

it('creating a client sends nothing; concurrent first requests share one discovery and one handshake', async () => {
  const client = clientFor(server, { mode: 'session' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(server.exchanges).toHaveLength(0);

  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, n) => client(`/api/item/${n}`, json({ n }))),
  );
  const bodies = await Promise.all(responses.map(async (r) => JSON.parse((await echoed(r)).body)));
  expect(bodies).toEqual(Array.from({ length: 12 }, (_, n) => ({ n })));
  expect(server.count('GET', DISCOVERY_PATH)).toBe(1);
  expect(server.count('POST', SESSION_PATH)).toBe(1);
  expect(server.exchanges).toHaveLength(14);
});

it('a failed handshake is shared by the requests waiting on it, and the next request handshakes afresh', async () => {
  const client = clientFor(server, { mode: 'session' });
  const handshakes = server.count('POST', SESSION_PATH);
  server.failNext('ERR_STORE_UNAVAILABLE', { path: SESSION_PATH });
  const results = await Promise.allSettled([client('/api/a', json({})), client('/api/b', json({}))]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(server.count('POST', SESSION_PATH) - handshakes).toBe(1);
  expect((await client('/api/c', json({}))).status).toBe(200);
  expect(server.count('POST', SESSION_PATH) - handshakes).toBe(2);
});
