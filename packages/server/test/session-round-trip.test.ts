import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, BALANCE, type Harness, startHarness } from './helpers/harness.js';

/**
 * Sessions through every adapter: the handshake endpoint in both encodings,
 * then requests in every form answered under the session's keys.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness(name);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it.each(['binary', 'json'] as const)('handshake in %s, then requests in every form', async (encoding) => {
    const { request, hello } = await client.handshakeRequest(encoding);
    const response = await harness.send(request);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(
      encoding === 'json' ? 'application/cipherlayer+json' : 'application/cipherlayer',
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const { messageOf } = await import('./helpers/client.js');
    client.session = await hello.finish(messageOf(response), 200);

    for (const form of ['binary', 'json'] as const) {
      const out = await client.call({
        method: 'POST',
        target: '/api/transfer',
        json: { to: 'DE89', amount: 7 },
        form,
      });
      expect(out.status).toBe(201);
      expect(out.json()).toEqual({ ok: true, to: 'DE89', amount: 7 });
      expect(harness.seen.at(-1)?.exchange?.kind).toBe('session');
      expect(harness.seen.at(-1)?.exchange?.form).toBe(form);
    }
    const get = await client.call({ method: 'GET', target: '/api/balance' });
    expect(get.json()).toEqual(BALANCE);
    expect(harness.seen.at(-1)?.exchange?.kind).toBe('session');
    expect(client.session?.nextCounter).toBe(3);
  });

  it('a handshake sent in the clear is refused', async () => {
    const response = await harness.send({
      method: 'POST',
      target: harness.engine.paths.session,
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"server"}',
    });
    expect(response.status).toBe(415);
    expect(JSON.parse(response.body.toString())).toEqual({
      error: { code: 'ERR_PLAINTEXT_REJECTED', message: 'encrypted payload required' },
    });
  });

  it('a stateless request sent to the handshake endpoint is malformed', async () => {
    const built = await client.build({
      method: 'POST',
      target: harness.engine.paths.session,
      json: { not: 'a handshake' },
      session: false,
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.code).toBe('ERR_MALFORMED');
  });
});
