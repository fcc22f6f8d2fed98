import Fastify, { type FastifyRequest } from 'fastify';
import { cipherlayerFastify } from '../../../src/fastify.js';
import { createCipherlayer } from '../../../src/index.js';
import { type AppSetup, attributesFrom, BALANCE, type Harness, headerRecord } from '../harness.js';
import { sendLoopback } from '../loopback.js';

export async function startFastify(setup: AppSetup): Promise<Harness> {
  const { seen, attributeHeaders } = setup;
  const engine = createCipherlayer<FastifyRequest>({
    ...setup.options,
    sessionAttributes: (request) =>
      attributesFrom(attributeHeaders, (name) => request.headers[name] as string | undefined),
  });
  const app = Fastify();
  await app.register(cipherlayerFastify, { cipherlayer: engine });
  // The app reads raw cl1 messages on its `off` route itself.
  app.addContentTypeParser(
    ['application/cipherlayer', 'application/cipherlayer+json'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );
  const record = (route: string, request: FastifyRequest): void => {
    seen.push({
      route,
      method: request.method,
      body: request.body,
      contentType: request.headers['content-type'],
      exchange: request.cipherlayer ?? undefined,
    });
  };
  app.post<{ Body: { to?: string; amount?: number } }>('/api/transfer', async (request, reply) => {
    record('transfer', request);
    reply.code(201);
    return { ok: true, to: request.body?.to, amount: request.body?.amount };
  });
  app.get('/api/balance', async (request) => {
    record('balance', request);
    return BALANCE;
  });
  app.get('/api/public', { config: { cipherlayer: 'optional' } }, async (request) => {
    record('public', request);
    return { public: true };
  });
  app.post('/api/raw', { config: { cipherlayer: 'off' } }, async (request) => {
    record('raw', request);
    return {
      contentType: request.headers['content-type'],
      length: (request.body as Buffer | undefined)?.length ?? 0,
    };
  });
  app.post<{ Body: { user: string } }>('/api/login', async (request) => {
    record('login', request);
    return { bound: await request.cipherlayer?.bindSession({ user: String(request.body.user) }) };
  });
  app.post('/api/logout', async (request) => {
    record('logout', request);
    await request.cipherlayer?.revokeSession();
    return { revoked: true };
  });
  app.get('/api/empty', async (request, reply) => {
    record('empty', request);
    reply.code(204).send();
  });
  app.get<{ Querystring: { bytes: string } }>('/api/large', async (request, reply) => {
    record('large', request);
    reply.type('text/plain').send('x'.repeat(Number(request.query.bytes)));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.put('/api/echo', async (request) => {
    record('echo', request);
    return { contentType: request.headers['content-type'], body: request.body };
  });
  await app.ready();
  let listening: Promise<string> | undefined;
  return {
    name: 'fastify',
    engine,
    seen,
    async send(request) {
      const response = await app.inject({
        method: request.method as 'GET',
        url: request.target,
        headers: request.headers ?? {},
        ...(request.body === undefined
          ? {}
          : { payload: typeof request.body === 'string' ? request.body : Buffer.from(request.body) }),
      });
      return {
        status: response.statusCode,
        headers: headerRecord(response.headers),
        body: response.rawPayload,
      };
    },
    async stream(request, options) {
      listening ??= app.listen({ port: 0, host: '127.0.0.1' });
      await listening;
      return await sendLoopback(app.server, request, options);
    },
    close: () => app.close(),
  };
}
