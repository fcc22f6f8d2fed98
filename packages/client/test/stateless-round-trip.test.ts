import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerDouble } from './helpers/server-double.js';
import { clientFor, expectNoPlaintext, json } from './helpers/wire.js';

let server: ServerDouble;
beforeAll(async () => {
  server = await ServerDouble.start();
});
afterAll(async () => {
  await server.close();
});

const transfer = { amount: 125.5, to: 'DE89 3704 0044 0532 0130 00', memo: 'rent-march-SECRET' };

describe.each(['binary', 'json'] as const)('stateless mode, %s encoding', (encoding) => {
  it('sends the body sealed and hands back the decrypted response with the server status and headers', async () => {
    server.app = (request) => ({
      status: 201,
      contentType: 'application/json; charset=utf-8',
      headers: { 'x-request-seen': 'yes' },
      body: JSON.stringify({
        received: JSON.parse(new TextDecoder().decode(request.body)),
        balance: 'BAL-77-SECRET',
      }),
    });
    const client = clientFor(server, { mode: 'stateless', encoding });
    const response = await client('/api/transfer?from=1&memo=%C3%BC', json(transfer));

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-seen')).toBe('yes');
    expect(response.url).toBe(`${server.origin}/api/transfer?from=1&memo=%C3%BC`);
    expect(await response.json()).toEqual({ received: transfer, balance: 'BAL-77-SECRET' });

    const sent = server.exchanges.at(-1)!;
    expect(sent.target).toBe('/api/transfer?from=1&memo=%C3%BC');
    expect(sent.rawHeaders).toContain(
      encoding === 'binary' ? 'application/cipherlayer' : 'application/cipherlayer+json',
    );
    expectNoPlaintext(server, [transfer.to, transfer.memo, 'BAL-77-SECRET']);
  });
});
