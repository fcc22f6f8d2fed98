import { createServer } from 'node:http';
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { type Context, Hono } from 'hono';
import { cipherlayer } from '../../src/express.js';
import { cipherlayerFastify } from '../../src/fastify.js';
import { cipherlayerHono } from '../../src/hono.js';
import {
  type Cipherlayer,
  type CipherlayerProfileExchange,
  cipherlayerFetch,
  createCipherlayer,
  getCipherlayer,
  getCipherlayerProfile,
  type Profile,
} from '../../src/index.js';
import { type AdapterName, sendThroughFetch, type WireRequest, type WireResponse } from './harness.js';
import { keySet } from './keys.js';
import { close, listen, sendLoopback } from './loopback.js';

/**
 * One app with profile routes, on every adapter:
 *
 * | route | accepts | policy | answers |
 * | --- | --- | --- | --- |
 * | POST /p/echo | the profile | require | 201 {body, details} |
 * | GET /p/get | the profile | require | 200 {ok} |
 * | POST /p/optional | the profile | optional | 200 {body, opened} |
 * | POST /both, GET /both | cl1 and the profile | require | 200 {body, via} |
 * | GET /p/empty | the profile | require | 204 |
 * | GET /p/status?code=N | the profile | require | N {status} |
 * | GET /p/large?bytes=N | the profile | require | N bytes of JSON string |
 * | POST /p/revoke | the profile | require | revokes, 200 {revoked} |
 * | POST /p/off | the profile | off | 200 {contentType} |
 * | POST /cl1 | cl1 only | require | 200 {body} |
 *
 * The profile's endpoint (POST /mirror/session) and cl1's well-known
 * resources are served too.
 */
export interface Seen {
  route: string;
  body: unknown;
  profile: CipherlayerProfileExchange | undefined;
  cl1: boolean;
}

export interface ProfileHarness {
  readonly name: AdapterName;
  readonly engine: Cipherlayer<never>;
  readonly seen: Seen[];
  send(request: WireRequest): Promise<WireResponse>;
  close(): Promise<void>;
}

function policyOf(path: string): 'require' | 'optional' | 'off' {
  if (path === '/p/optional') return 'optional';
  if (path === '/p/off') return 'off';
  return 'require';
}

function answer(route: string, body: unknown, profile: CipherlayerProfileExchange | undefined, cl1: boolean) {
  if (route === 'echo') return { status: 201, json: { body, details: profile?.details } };
  if (route === 'get') return { status: 200, json: { ok: true } };
  if (route === 'optional') return { status: 200, json: { body, opened: profile !== undefined } };
  if (route === 'both' || route === 'cl1')
    return { status: 200, json: { body, via: cl1 ? 'cl1' : profile?.profile } };
  return { status: 200, json: {} };
}

async function startExpressApp(profile: Profile<never>, engine: Cipherlayer<never>, seen: Seen[]) {
  const app = express();
  const both = [engine, profile] as never;
  app.use(cipherlayer(both, { policy: 'off' })); // the endpoints and well-known resources only
  const own = cipherlayer(profile as never, { policy: (req: ExpressRequest) => policyOf(req.path) });
  const record = (route: string, req: ExpressRequest, res: ExpressResponse) => {
    seen.push({ route, body: req.body, profile: req.cipherlayerProfile, cl1: req.cipherlayer !== undefined });
    const { status, json } = answer(route, req.body, req.cipherlayerProfile, req.cipherlayer !== undefined);
    res.status(status).json(json);
  };
  app.post('/p/echo', own, (req, res) => record('echo', req, res));
  app.get('/p/get', own, (req, res) => record('get', req, res));
  app.post('/p/optional', own, (req, res) => record('optional', req, res));
  app.all('/both', cipherlayer(both), (req, res) => record('both', req, res));
  app.post('/cl1', cipherlayer(engine as never), (req, res) => record('cl1', req, res));
  app.get('/p/empty', own, (_req, res) => res.status(204).end());
  app.get('/p/status', own, (req, res) =>
    res.status(Number(req.query.code)).json({ status: Number(req.query.code) }),
  );
  app.get('/p/large', own, (req, res) => res.json('x'.repeat(Number(req.query.bytes))));
  app.post('/p/revoke', own, async (req, res) => {
    await req.cipherlayerProfile?.revokeSession();
    res.json({ revoked: true });
  });
  app.post('/p/off', own, (req, res) => res.json({ contentType: req.get('content-type') }));
  const server = createServer(app);
  await listen(server);
  return { send: (request: WireRequest) => sendLoopback(server, request), close: () => close(server) };
}

async function startFastifyApp(profile: Profile<never>, engine: Cipherlayer<never>, seen: Seen[]) {
  const app = Fastify();
  await app.register(cipherlayerFastify, {
    cipherlayer: engine as Cipherlayer<FastifyRequest>,
    profiles: [profile as Profile<FastifyRequest>],
    profile: 'mirror',
  });
  app.addContentTypeParser('application/cipherlayer', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );
  const record = async (route: string, request: FastifyRequest, reply: { code(n: number): unknown }) => {
    const profileExchange = request.cipherlayerProfile ?? undefined;
    seen.push({ route, body: request.body, profile: profileExchange, cl1: request.cipherlayer !== null });
    const { status, json } = answer(route, request.body, profileExchange, request.cipherlayer !== null);
    reply.code(status);
    return json;
  };
  app.post('/p/echo', (request, reply) => record('echo', request, reply));
  app.get('/p/get', (request, reply) => record('get', request, reply));
  app.post('/p/optional', { config: { cipherlayer: 'optional' } }, (request, reply) =>
    record('optional', request, reply),
  );
  const both = { config: { cipherlayer: { profile: ['cl1', 'mirror'] } } };
  app.post('/both', both, (request, reply) => record('both', request, reply));
  app.get('/both', both, (request, reply) => record('both', request, reply));
  app.post('/cl1', { config: { cipherlayer: { policy: 'require', profile: 'cl1' } } }, (request, reply) =>
    record('cl1', request, reply),
  );
  app.get('/p/empty', async (_request, reply) => reply.code(204).send());
  app.get<{ Querystring: { code: string } }>('/p/status', async (request, reply) => {
    reply.code(Number(request.query.code));
    return { status: Number(request.query.code) };
  });
  app.get<{ Querystring: { bytes: string } }>('/p/large', async (request) =>
    'x'.repeat(Number(request.query.bytes)),
  );
  app.post('/p/revoke', async (request) => {
    await request.cipherlayerProfile?.revokeSession();
    return { revoked: true };
  });
  app.post('/p/off', { config: { cipherlayer: 'off' } }, async (request) => ({
    contentType: request.headers['content-type'],
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    send: (request: WireRequest) => sendLoopback(app.server, request),
    close: () => app.close(),
  };
}

function honoApp(seen: Seen[]): Hono {
  const app = new Hono();
  const record = async (route: string, c: Context) => {
    const type = c.req.header('content-type') ?? '';
    const body = type.includes('json') ? await c.req.json() : undefined;
    const profile = getCipherlayerProfile(c.req.raw);
    const cl1 = getCipherlayer(c.req.raw) !== undefined;
    seen.push({ route, body, profile, cl1 });
    const { status, json } = answer(route, body, profile, cl1);
    return c.json(json, status as 200);
  };
  app.post('/p/echo', (c) => record('echo', c));
  app.get('/p/get', (c) => record('get', c));
  app.post('/p/optional', (c) => record('optional', c));
  app.all('/both', (c) => record('both', c));
  app.post('/cl1', (c) => record('cl1', c));
  app.get('/p/empty', (c) => c.body(null, 204));
  app.get('/p/status', (c) =>
    c.json({ status: Number(c.req.query('code')) }, Number(c.req.query('code')) as 200),
  );
  app.get('/p/large', (c) => c.json('x'.repeat(Number(c.req.query('bytes')))));
  app.post('/p/revoke', async (c) => {
    await getCipherlayerProfile(c.req.raw)?.revokeSession();
    return c.json({ revoked: true });
  });
  app.post('/p/off', (c) => c.json({ contentType: c.req.header('content-type') }));
  return app;
}

async function startHonoApp(
  profile: Profile<never>,
  engine: Cipherlayer<never>,
  seen: Seen[],
  mode: 'middleware' | 'fetch',
) {
  const both = [engine, profile] as never;
  const policy = (request: Request) => policyOf(new URL(request.url).pathname);
  let fetch: (request: Request) => Response | Promise<Response>;
  if (mode === 'middleware') {
    const app = new Hono();
    app.use('*', cipherlayerHono(both, { policy: 'off' }));
    app.use('/p/*', cipherlayerHono(profile as never, { policy }));
    app.use('/both', cipherlayerHono(both));
    app.use('/cl1', cipherlayerHono(engine as never));
    app.route('/', honoApp(seen));
    fetch = app.fetch;
  } else {
    const inner = honoApp(seen).fetch;
    const own = cipherlayerFetch(profile as never, inner, { policy });
    const mixed = cipherlayerFetch(both, inner);
    const cl1 = cipherlayerFetch(engine as never, inner);
    fetch = (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/both' || path.startsWith('/.well-known/')) return mixed(request);
      return path === '/cl1' ? cl1(request) : own(request);
    };
  }
  const send = async (request: WireRequest): Promise<WireResponse> => {
    return sendThroughFetch(fetch, request);
  };
  return { send, close: async () => {} };
}

export async function startProfileHarness(
  name: AdapterName,
  profile: Profile<never>,
): Promise<ProfileHarness> {
  const seen: Seen[] = [];
  const engine = createCipherlayer({ keys: keySet() }) as Cipherlayer<never>;
  const started =
    name === 'express'
      ? await startExpressApp(profile, engine, seen)
      : name === 'fastify'
        ? await startFastifyApp(profile, engine, seen)
        : await startHonoApp(profile, engine, seen, name === 'hono' ? 'middleware' : 'fetch');
  return { name, engine, seen, ...started };
}
