import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, echoed, expectNoPlaintext, json } from './helpers/wire.js';

let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});

describe.each(['binary', 'json'] as const)('session mode, %s encoding', (encoding) => {
  it('handshakes once, then seals every request in the session', async () => {
    const before = server.count('POST', SESSION_PATH);
    const client = clientFor(server, { mode: 'session', encoding });
    for (const n of [1, 2, 3]) {
      const response = await client('/api/transfer', json({ n, iban: `FR76-SECRET-${n}` }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse((await echoed(response)).body)).toEqual({ n, iban: `FR76-SECRET-${n}` });
    }
    expect(server.count('POST', SESSION_PATH) - before).toBe(1);
    const media = encoding === 'binary' ? 'application/cipherlayer' : 'application/cipherlayer+json';
    for (const exchange of server.exchanges.slice(-3)) {
      expect(exchange.rawHeaders).toContain(media);
      expect(exchange.response?.headers['content-type']).toBe(media);
    }
    if (encoding === 'json') {
      const body = JSON.parse(server.exchanges.at(-1)!.body.toString());
      expect(body).toMatchObject({ cl1: 'session', n: 2 });
    }
    expectNoPlaintext(server, ['FR76-SECRET-1', 'FR76-SECRET-2', 'FR76-SECRET-3']);
  });
});
