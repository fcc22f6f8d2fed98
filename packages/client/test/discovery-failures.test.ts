import { afterEach, beforeEach, expect, it } from 'vitest';
import { DISCOVERY_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, json } from './helpers/wire.js';

/** Without a usable discovery document there is no key to seal to: the request fails before anything is sealed. */
let server: ServerDouble;
beforeEach(async () => {
  server = await ServerDouble.start();
});
afterEach(async () => {
  await server.close();
});

it.each([
  ['a 404', 404, 'text/plain', 'not found', 'ERR_UNKNOWN_KEY'],
  [
    'a cipherlayer error body',
    503,
    'application/json',
    '{"error":{"code":"ERR_STORE_UNAVAILABLE","message":"state store unavailable"}}',
    'ERR_STORE_UNAVAILABLE',
  ],
  ['a 200 that is not JSON', 200, 'application/json', '<html>', 'ERR_MALFORMED'],
  ['a 200 that is not a discovery document', 200, 'application/json', '{"keys":"none"}', 'ERR_MALFORMED'],
] as const)(
  '%s: rejected, the route never contacted, and the next request tries again',
  async (_name, status, type, body, code) => {
    server.override((res) => res.writeHead(status, { 'content-type': type }).end(body), 1, DISCOVERY_PATH);
    const client = clientFor(server, { mode: 'stateless' });
    await expect(client('/api/transfer', json({ card: 'SECRET' }))).rejects.toMatchObject({ code });
    expect(server.exchanges.map((e) => e.target)).toEqual([DISCOVERY_PATH]);

    expect((await client('/api/transfer', json({ n: 2 }))).status).toBe(200);
    expect(server.count('GET', DISCOVERY_PATH)).toBe(2);
  },
);

it('a discovery URL that redirects is not followed: the document decides which keys are trusted', async () => {
  server.override(
    (res) => res.writeHead(302, { location: 'https://keys.example/.well-known/cipherlayer' }).end(),
    1,
    DISCOVERY_PATH,
  );
  const client = clientFor(server, { mode: 'session' });
  await expect(client('/api/transfer', json({}))).rejects.toThrow(TypeError);
  expect(server.exchanges).toHaveLength(1);
});
