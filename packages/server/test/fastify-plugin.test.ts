import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { cipherlayerFastify } from '../src/fastify.js';
import { type Cipherlayer, createCipherlayer } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { type Harness, headerRecord } from './helpers/harness.js';
import { keySet } from './helpers/keys.js';

function harnessOf(app: FastifyInstance, engine: Cipherlayer<FastifyRequest>): Harness {
  return {
    name: 'fastify',
    engine,
    seen: [],
    async send(request) {
      const response = await app.inject({
        method: request.method as 'GET',
        url: request.target,
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { payload: Buffer.from(request.body) }),
      });
      return {
        status: response.statusCode,
        headers: headerRecord(response.headers),
        body: response.rawPayload,
      };
    },
    stream: () => Promise.reject(new Error('not used')),
    close: () => app.close(),
  };
}

/**
 * Fastify: decryption happens before parsing and schema validation, sealing
 * after serialisation and the other onSend hooks, per-route policy comes from
 * route config, and the plugin stays in the scope it is registered in.
 */
describe('Fastify plugin', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function start(
    build: (app: FastifyInstance, engine: Cipherlayer<FastifyRequest>) => void | Promise<void>,
  ) {
    const engine = createCipherlayer<FastifyRequest>({ keys: keySet() });
    const app = Fastify();
    apps.push(app);
    await build(app, engine);
    await app.ready();
    const harness = harnessOf(app, engine);
    return { app, engine, harness, client: await TestClient.connect(harness) };
  }

  it('JSON schema validation sees the plaintext; its 400 is sealed like any app answer', async () => {
    const handled: unknown[] = [];
    const { client } = await start(async (app, cipherlayer) => {
      await app.register(cipherlayerFastify, { cipherlayer });
      app.post(
        '/transfer',
        {
          schema: {
            body: {
              type: 'object',
              required: ['to', 'amount'],
              properties: { to: { type: 'string' }, amount: { type: 'number', minimum: 0.01 } },
              additionalProperties: false,
            },
          },
        },
        async (request) => {
          handled.push(request.body);
          return { accepted: request.body };
        },
      );
    });
    const ok = await client.call({
      method: 'POST',
      target: '/transfer',
      json: { to: 'DE89', amount: 5 },
      session: false,
    });
    expect(ok.json()).toEqual({ accepted: { to: 'DE89', amount: 5 } });
    const invalid = await client.call({
      method: 'POST',
      target: '/transfer',
      json: { to: 'DE89', amount: -1 },
      session: false,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toMatchObject({
      code: 'FST_ERR_VALIDATION',
      message: 'body/amount must be >= 0.01',
    });
    expect(handled).toEqual([{ to: 'DE89', amount: 5 }]);
  });

  it('decorators: app.cipherlayer and request.cipherlayer', async () => {
    let decorated: unknown;
    const { client, engine } = await start(async (app, cipherlayer) => {
      await app.register(cipherlayerFastify, { cipherlayer, policy: 'optional' });
      decorated = app.cipherlayer;
      app.get('/who', async (request) => ({ kind: request.cipherlayer?.kind ?? 'plaintext' }));
    });
    expect(decorated).toBe(engine);
    expect((await client.call({ method: 'GET', target: '/who', session: false })).json()).toEqual({
      kind: 'stateless',
    });
  });

  it('route config chooses the policy; the plugin default applies elsewhere', async () => {
    const { harness } = await start(async (app, cipherlayer) => {
      await app.register(cipherlayerFastify, { cipherlayer, policy: 'optional' });
      app.get('/strict', { config: { cipherlayer: 'require' } }, async () => ({ strict: true }));
      app.get('/loose', async () => ({ loose: true }));
    });
    expect((await harness.send({ method: 'GET', target: '/strict' })).status).toBe(415);
    expect((await harness.send({ method: 'HEAD', target: '/strict' })).status).toBe(415);
    expect((await harness.send({ method: 'GET', target: '/loose' })).status).toBe(200);
  });

  it('encapsulated: registered in one scope, it leaves sibling scopes alone', async () => {
    const { harness, client } = await start(async (app, cipherlayer) => {
      await app.register(async (api) => {
        await api.register(cipherlayerFastify, { cipherlayer });
        api.get('/api/secret', async () => ({ secret: true }));
      });
      await app.register(async (site) => {
        site.get('/site/page', async () => ({ page: true }));
      });
    });
    expect((await harness.send({ method: 'GET', target: '/api/secret' })).status).toBe(415);
    expect((await client.call({ method: 'GET', target: '/api/secret', session: false })).json()).toEqual({
      secret: true,
    });
    const page = await harness.send({ method: 'GET', target: '/site/page' });
    expect(page.status).toBe(200);
    expect(page.headers.vary).toBeUndefined();
  });

  it('a route registered before the plugin, and the not-found handler, still get the default policy', async () => {
    const { harness, client } = await start(async (app, cipherlayer) => {
      app.get('/early', async () => ({ early: true }));
      await app.register(cipherlayerFastify, { cipherlayer });
      app.get('/late', async () => ({ late: true }));
    });
    expect((await harness.send({ method: 'GET', target: '/early' })).status).toBe(415);
    expect((await client.call({ method: 'GET', target: '/early', session: false })).json()).toEqual({
      early: true,
    });
    expect((await harness.send({ method: 'GET', target: '/missing' })).status).toBe(415);
    const missing = await client.call({ method: 'GET', target: '/missing', session: false });
    expect(missing.status).toBe(404);
  });

  it("a route's own onRequest hooks still run, and its response is sealed once", async () => {
    const ran: string[] = [];
    const { harness, client } = await start(async (app, cipherlayer) => {
      await app.register(cipherlayerFastify, { cipherlayer });
      app.get(
        '/one',
        {
          onRequest: (_request, _reply, done) => {
            ran.push('one');
            done();
          },
        },
        async (request) => ({ opened: request.cipherlayer !== null }),
      );
      app.get(
        '/list',
        { onRequest: [async () => void ran.push('list a'), async () => void ran.push('list b')] },
        async (request) => ({ opened: request.cipherlayer !== null }),
      );
      app.get('/open', { config: { cipherlayer: 'off' } }, async (request) => ({
        opened: request.cipherlayer !== null,
      }));
    });
    for (const target of ['/one', '/list']) {
      expect((await harness.send({ method: 'GET', target })).status).toBe(415);
      const answer = await client.call({ method: 'GET', target });
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ opened: true });
    }
    expect(ran).toEqual(['one', 'one', 'list a', 'list b', 'list a', 'list b']);
    // An `off` route is left alone by the scope's safety net as well: plaintext in, plaintext out.
    const open = await harness.send({ method: 'GET', target: '/open' });
    expect(open.status).toBe(200);
    expect(JSON.parse(Buffer.from(open.body).toString('utf8'))).toEqual({ opened: false });
    expect(open.headers.vary).toBeUndefined();
  });

  it('streams, Buffers and an app onSend hook are sealed after they ran', async () => {
    const { client } = await start(async (app, cipherlayer) => {
      await app.register(cipherlayerFastify, { cipherlayer });
      // Registered after the plugin, in the same scope: it still runs before the seal.
      app.addHook('onSend', async (_request, reply, payload) => {
        reply.header('x-app-hook', 'ran');
        return typeof payload === 'string' ? payload.replace('draft', 'final') : payload;
      });
      app.get('/stream', async (_request, reply) =>
        reply.type('text/plain').send(Readable.from(['card ', '4242'])),
      );
      app.get('/buffer', async (_request, reply) =>
        reply.type('application/octet-stream').send(Buffer.from('4242')),
      );
      app.get('/text', async () => 'draft');
      app.get('/web-stream', async (_request, reply) =>
        reply.type('text/plain').send(new Blob(['web ', 'stream']).stream()),
      );
      app.get('/response', async (_request, reply) =>
        reply.send(
          new Response('from a Response', { status: 203, headers: { 'content-type': 'text/plain' } }),
        ),
      );
    });
    const stream = await client.call({ method: 'GET', target: '/stream', session: false });
    expect([stream.text, stream.contentType]).toEqual(['card 4242', 'text/plain']);
    const buffer = await client.call({ method: 'GET', target: '/buffer', session: false });
    expect(buffer.text).toBe('4242');
    const text = await client.call({ method: 'GET', target: '/text', session: false });
    expect(text.text).toBe('final');
    expect(text.response.headers['x-app-hook']).toBe('ran');
    expect((await client.call({ method: 'GET', target: '/web-stream', session: false })).text).toBe(
      'web stream',
    );
    const response = await client.call({ method: 'GET', target: '/response', session: false });
    expect([response.status, response.text, response.contentType]).toEqual([
      203,
      'from a Response',
      'text/plain',
    ]);
  });

  it('a compressing onSend hook before sealing fails closed', async () => {
    const { client, harness } = await start(async (app, cipherlayer) => {
      app.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-encoding', 'gzip');
        return payload;
      });
      await app.register(cipherlayerFastify, { cipherlayer });
      app.get('/x', async () => ({ a: 1 }));
    });
    const built = await client.build({ method: 'GET', target: '/x', session: false });
    const response = await harness.send(built.request);
    expect(response.status).toBe(500);
  });

  it('an invalid route policy is refused when the route is registered', async () => {
    const engine = createCipherlayer<FastifyRequest>({ keys: keySet() });
    const app = Fastify();
    apps.push(app);
    await app.register(cipherlayerFastify, { cipherlayer: engine });
    expect(() => app.get('/x', { config: { cipherlayer: 'maybe' as 'off' } }, async () => ({}))).toThrow(
      /config.cipherlayer must be/,
    );
  });
});
