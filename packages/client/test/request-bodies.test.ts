import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor, echoed, expectNoPlaintext } from './helpers/wire.js';

let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});

const bytes = Uint8Array.from([0, 1, 2, 250, 255, 0x53, 0x45, 0x43]);
const latin1 = (value: Uint8Array) => String.fromCharCode(...value);

const cases: [kind: string, body: () => BodyInit, contentType: string, received: string][] = [
  ['a string', () => 'plain words SECRET-1', 'text/plain;charset=UTF-8', 'plain words SECRET-1'],
  ['a Uint8Array', () => bytes, '', latin1(bytes)],
  ['an ArrayBuffer', () => bytes.slice().buffer, '', latin1(bytes)],
  ['a Blob', () => new Blob(['blob SECRET-2'], { type: 'text/markdown' }), 'text/markdown', 'blob SECRET-2'],
  [
    'URLSearchParams',
    () => new URLSearchParams({ card: 'SECRET-3' }),
    'application/x-www-form-urlencoded;charset=UTF-8',
    'card=SECRET-3',
  ],
];

it.each(cases)(
  '%s arrives as sent, with the content type fetch gives it',
  async (_kind, body, contentType, received) => {
    const client = clientFor(server, { mode: 'stateless' });
    server.app = (request) => ({
      contentType: 'application/octet-stream',
      body: Uint8Array.from([...request.body].reverse()),
      headers: { 'x-content-type': request.contentType },
    });
    const response = await client('/api/upload', { method: 'PUT', body: body() });
    expect(response.headers.get('x-content-type')).toBe(contentType);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const back = new Uint8Array(await response.arrayBuffer()).reverse();
    expect(latin1(back)).toBe(received);
    expectNoPlaintext(server, ['SECRET-1', 'SECRET-2', 'SECRET-3']);
  },
);

it('takes a Request object, with its method, headers and body', async () => {
  const client = clientFor(server, { mode: 'stateless' });
  server.app = (request) => ({
    contentType: 'application/json',
    body: JSON.stringify({
      method: request.method,
      target: request.target,
      contentType: request.contentType,
      body: new TextDecoder().decode(request.body),
    }),
  });
  const request = new Request(`${server.origin}/api/notes?draft=1`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'x-trace': 'abc' },
    body: '{"note":"SECRET-4"}',
  });
  const response = await client(request);
  expect(await echoed(response)).toEqual({
    method: 'PATCH',
    target: '/api/notes?draft=1',
    contentType: 'application/json',
    body: '{"note":"SECRET-4"}',
  });
  const wire = server.exchanges.at(-1)!;
  expect(wire.rawHeaders).toContain('abc');
  expectNoPlaintext(server, ['SECRET-4']);
});
