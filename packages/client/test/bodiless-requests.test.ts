import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor, echoed, expectNoPlaintext } from './helpers/wire.js';

let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});

const header = (rawHeaders: string[], name: string) => {
  const at = rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
  return at < 0 ? undefined : rawHeaders[at + 1];
};

describe.each([
  ['stateless', 'binary'],
  ['session', 'json'],
] as const)('%s mode, %s encoding', (mode, encoding) => {
  it.each(['GET', 'DELETE'])('%s travels in the Cipherlayer header, with no body', async (method) => {
    server.app = () => ({ contentType: 'application/json', body: '{"balance":"SECRET-BALANCE"}' });
    const client = clientFor(server, { mode, encoding });
    const response = await client('/api/accounts/7?view=full', { method });
    expect(await response.json()).toEqual({ balance: 'SECRET-BALANCE' });

    const sent = server.exchanges.at(-1)!;
    expect(sent).toMatchObject({ method, target: '/api/accounts/7?view=full' });
    expect(sent.body.length).toBe(0);
    expect(header(sent.rawHeaders, 'cipherlayer')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(header(sent.rawHeaders, 'content-type')).toBeUndefined();
    // The response comes in the encoding the request's Accept names.
    const media = encoding === 'binary' ? 'application/cipherlayer' : 'application/cipherlayer+json';
    expect(header(sent.rawHeaders, 'accept')).toBe(media);
    expect(sent.response?.headers['content-type']).toBe(media);
    expectNoPlaintext(server, ['SECRET-BALANCE']);
  });
});

it('a POST with an empty body also uses the header, and keeps its content type inside', async () => {
  const client = clientFor(server, { mode: 'stateless' });
  server.app = (request) => ({
    contentType: 'application/json',
    body: JSON.stringify({ contentType: request.contentType, body: '' }),
  });
  const response = await client('/api/ping', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '',
  });
  expect(await echoed(response)).toMatchObject({ contentType: 'text/plain', body: '' });
  const sent = server.exchanges.at(-1)!;
  expect(sent.body.length).toBe(0);
  expect(header(sent.rawHeaders, 'cipherlayer')).toBeDefined();
});

it('refuses HEAD before sending: its response has no body, so it cannot be authenticated', async () => {
  const client = clientFor(server, { mode: 'stateless' });
  const before = server.exchanges.length;
  await expect(client('/api/accounts', { method: 'HEAD' })).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  expect(server.exchanges.length).toBe(before);
});
