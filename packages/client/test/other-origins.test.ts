import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor, echoed } from './helpers/wire.js';

/** Only the baseUrl origin gets requests; anything else is refused before it is sent, never sent in the clear. */
let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});

it.each([
  ['another host', () => 'https://example.com/api/transfer'],
  ['the same address under another name', () => server.origin.replace('127.0.0.1', 'localhost')],
  ['another scheme', () => server.origin.replace('http:', 'https:')],
  ['another port', () => `http://127.0.0.1:1/api`],
  [
    'a Request for another origin',
    () => new Request('https://example.com/api', { method: 'POST', body: 'SECRET' }),
  ],
])('%s: ERR_CONFIG, nothing sent', async (_name, input) => {
  const client = clientFor(server, { mode: 'stateless' });
  const before = server.exchanges.length;
  await expect(client(input(), { method: 'POST', body: 'SECRET' })).rejects.toMatchObject({
    code: 'ERR_CONFIG',
  });
  expect(server.exchanges.length).toBe(before);
});

it('relative URLs resolve against baseUrl, and the fragment never leaves', async () => {
  const client = createClient({ baseUrl: `${server.origin}/api/v1/`, mode: 'stateless' });
  expect((await echoed(await client('accounts?id=7#top'))).target).toBe('/api/v1/accounts?id=7');
  expect((await echoed(await client('/health'))).target).toBe('/health');
  expect((await echoed(await client(`${server.origin}/api/v1/x?`))).target).toBe('/api/v1/x');
  expect((await echoed(await client(new URL('/a b/ü', server.origin)))).target).toBe('/a%20b/%C3%BC');
});
