import { Hono } from 'hono';
import { methodOverride } from 'hono/method-override';
import { validator } from 'hono/validator';
import { describe, expect, it } from 'vitest';
import { cipherlayerHono } from '../src/hono.js';
import { cipherlayerFetch, createCipherlayer, getCipherlayer } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { type Harness, sendThroughFetch } from './helpers/harness.js';
import { keySet } from './helpers/keys.js';

function harnessOf(
  fetch: (request: Request) => Response | Promise<Response>,
  engine: Harness['engine'],
): Harness {
  return {
    name: 'hono',
    engine,
    seen: [],
    async send(request) {
      return sendThroughFetch(fetch, request);
    },
    stream: () => Promise.reject(new Error('not used')),
    close: async () => {},
  };
}

/** Web-standard: Hono's validators, error handler and method override; the wrapper around any fetch handler. */
describe('Hono middleware', () => {
  it("Hono's validator reads the plaintext", async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const app = new Hono();
    app.use(cipherlayerHono(engine));
    app.post(
      '/transfer',
      validator('json', (value, c) => {
        const amount = (value as { amount?: unknown }).amount;
        if (typeof amount !== 'number' || amount <= 0) return c.json({ invalid: 'amount' }, 422);
        return { amount };
      }),
      (c) => c.json({ accepted: c.req.valid('json') }),
    );
    const client = await TestClient.connect(harnessOf((r) => app.fetch(r), engine));
    expect(
      (
        await client.call({ method: 'POST', target: '/transfer', json: { amount: 3 }, session: false })
      ).json(),
    ).toEqual({
      accepted: { amount: 3 },
    });
    const invalid = await client.call({
      method: 'POST',
      target: '/transfer',
      json: { amount: -3 },
      session: false,
    });
    expect([invalid.status, invalid.json()]).toEqual([422, { invalid: 'amount' }]);
  });

  it('app.onError and notFound answers are sealed too', async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const app = new Hono();
    app.use(cipherlayerHono(engine));
    app.get('/boom', () => {
      throw new Error('card 4242 4242');
    });
    app.onError((error, c) => c.json({ failed: error.message }, 500));
    const client = await TestClient.connect(harnessOf((r) => app.fetch(r), engine));
    const boom = await client.call({ method: 'GET', target: '/boom', session: false });
    expect([boom.status, boom.json()]).toEqual([500, { failed: 'card 4242 4242' }]);
    expect(boom.response.body.toString('latin1')).not.toContain('4242');
    const missing = await client.call({ method: 'GET', target: '/missing', session: false });
    expect(missing.status).toBe(404);
  });

  it("Hono's methodOverride dispatches again: plaintext is refused, a POST-bound message does not open as DELETE", async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const ran: string[] = [];
    const app = new Hono();
    app.use('/item', methodOverride({ app, header: 'X-HTTP-Method-Override' }));
    app.use(cipherlayerHono(engine));
    app.post('/item', (c) => {
      ran.push('POST');
      return c.json({ method: 'POST' });
    });
    app.delete('/item', (c) => {
      ran.push('DELETE');
      return c.json({ method: 'DELETE' });
    });
    const harness = harnessOf((r) => app.fetch(r), engine);
    const client = await TestClient.connect(harness);
    const plain = await harness.send({
      method: 'POST',
      target: '/item',
      headers: { 'x-http-method-override': 'DELETE', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    const built = await client.build({
      method: 'POST',
      target: '/item',
      json: {},
      session: false,
      headers: { 'x-http-method-override': 'DELETE' },
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(400);
    expect(ran).toEqual([]);
  });
});

describe('cipherlayerFetch', () => {
  it('wraps any fetch handler; getCipherlayer gives the exchange; streamed answers are sealed', async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const handler = async (request: Request) => {
      const exchange = getCipherlayer(request);
      const text = await request.text();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`${exchange?.kind}:`));
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
      return new Response(body, {
        status: 207,
        headers: { 'content-type': 'text/plain', etag: '"plain-hash"' },
      });
    };
    const harness = harnessOf(cipherlayerFetch(engine, handler), engine);
    const client = await TestClient.connect(harness);
    const out = await client.call({
      method: 'PUT',
      target: '/anything',
      plain: { contentType: 'text/plain', body: 'IBAN DE89' },
      session: false,
    });
    expect([out.status, out.text, out.contentType]).toEqual([207, 'stateless:IBAN DE89', 'text/plain']);
    expect(out.response.headers.etag).toBeUndefined();
    expect(out.response.body.toString('latin1')).not.toContain('DE89');
  });

  it('errors from the engine carry a Date header (clients correct their clock from it on ERR_STALE)', async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const fetch = cipherlayerFetch(engine, () => new Response('never'));
    const response = await fetch(new Request('http://localhost/x', { method: 'GET' }));
    expect(response.status).toBe(415);
    expect(Date.parse(response.headers.get('date') ?? '')).not.toBeNaN();
  });
});
