import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import {
  type Cipherlayer,
  type CipherlayerProfileExchange,
  cipherlayerFetch,
  createCipherlayer,
  getCipherlayer,
  getCipherlayerProfile,
  type Logger,
  type Profile,
} from '@cipherlayer/server';
import { cipherlayer } from '@cipherlayer/server/express';
import { cipherlayerHono } from '@cipherlayer/server/hono';
import { serve } from '@hono/node-server';
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { type Context, Hono } from 'hono';
// The plugin from the server's sources, not its build: both declare the same Fastify type
// augmentation, and one TypeScript program (tsconfig.test.json) must see only one of them first.
import { cipherlayerFastify } from '../../../server/src/fastify.js';

/**
 * The app every profile test runs, on Express 5, Fastify 5, Hono
 * (middleware) and the Fetch wrapper, each on a real socket on 127.0.0.1:
 *
 * | route | accepts | policy | answers |
 * | --- | --- | --- | --- |
 * | POST /api/transfer | the profile | require | 201 {ok, to, amount} |
 * | GET /api/payment-details | the profile | require | 200 CARD (seed 002's route) |
 * | PUT /api/echo | the profile | require | 200 {body} |
 * | POST /api/public | the profile | optional | 200 {body, sealed} |
 * | GET /api/public | the profile | optional | 200 {sealed} |
 * | GET /api/text | the profile | require | 200 text/plain |
 * | GET /api/empty | the profile | require | 204 |
 * | POST /api/logout | the profile | require | revokes the session, 200 {revoked} |
 * | POST /api/both, GET /api/both | cl1 and the profile | require | 200 {body, via} |
 * | POST /api/cl1 | cl1 only | require | 200 {body} |
 * | POST /api/raw | — | off | 200 {contentType, length} |
 *
 * Plus the profile's own endpoints and cl1's well-known resources.
 */
export type AdapterName = 'express' | 'fastify' | 'hono' | 'fetch';
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify', 'hono', 'fetch'];

export const CARD = { cardLast4: '4242', expiryMonth: 12, expiryYear: 2027 };

export interface Seen {
  route: string;
  body: unknown;
  profile: CipherlayerProfileExchange | undefined;
  cl1: boolean;
}

export interface App {
  readonly adapter: AdapterName;
  readonly url: string;
  readonly engine: Cipherlayer<never>;
  readonly seen: Seen[];
  close(): Promise<void>;
}

export interface AppSetup {
  /** The profile, built for the adapter (hooks receive that framework's request). */
  profile: (adapter: AdapterName) => Profile<never>;
  logger?: Logger;
}

function policyOf(path: string): 'require' | 'optional' | 'off' {
  if (path === '/api/public') return 'optional';
  if (path === '/api/raw') return 'off';
  return 'require';
}

type Answer = { status: number; json?: unknown; text?: string };

function answer(
  route: string,
  method: string,
  body: unknown,
  profile: CipherlayerProfileExchange | undefined,
  cl1: boolean,
): Answer {
  const b = body as { to?: string; amount?: number } | undefined;
  switch (route) {
    case 'transfer':
      return { status: 201, json: { ok: true, to: b?.to, amount: b?.amount } };
    case 'payment-details':
      return { status: 200, json: CARD };
    case 'echo':
      return { status: 200, json: { body } };
    case 'public':
      return {
        status: 200,
        json: method === 'GET' ? { sealed: profile !== undefined } : { body, sealed: profile !== undefined },
      };
    case 'text':
      return { status: 200, text: 'hello in the clear' };
    case 'both':
    case 'cl1':
      return { status: 200, json: { body, via: cl1 ? 'cl1' : profile?.profile } };
    default:
      return { status: 404, json: { error: 'no such route' } };
  }
}

function keySet(): ServerKeySet {
  return new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function startExpress(setup: AppSetup, engine: Cipherlayer<never>, seen: Seen[]) {
  const profile = setup.profile('express') as Profile<ExpressRequest>;
  const both = [engine as Cipherlayer<ExpressRequest>, profile];
  const app = express();
  app.set('trust proxy', false);
  app.use(cipherlayer(both, { policy: 'off' })); // endpoints and well-known resources
  const own = cipherlayer(profile, { policy: (req) => policyOf(req.path) });
  const handle = (route: string) => async (req: ExpressRequest, res: ExpressResponse) => {
    const cl1 = req.cipherlayer !== undefined;
    seen.push({ route, body: req.body, profile: req.cipherlayerProfile, cl1 });
    if (route === 'logout') {
      await req.cipherlayerProfile?.revokeSession();
      res.json({ revoked: true });
      return;
    }
    if (route === 'empty') {
      res.status(204).end();
      return;
    }
    if (route === 'raw') {
      res.json({
        contentType: req.get('content-type'),
        length: Buffer.isBuffer(req.body) ? req.body.length : 0,
      });
      return;
    }
    const out = answer(route, req.method, req.body, req.cipherlayerProfile, cl1);
    if (out.text !== undefined) res.status(out.status).type('text/plain').send(out.text);
    else res.status(out.status).json(out.json);
  };
  app.post('/api/transfer', own, handle('transfer'));
  app.get('/api/payment-details', own, handle('payment-details'));
  app.put('/api/echo', own, handle('echo'));
  app.all('/api/public', own, handle('public'));
  app.get('/api/text', own, handle('text'));
  app.get('/api/empty', own, handle('empty'));
  app.post('/api/logout', own, handle('logout'));
  app.all('/api/both', cipherlayer(both), handle('both'));
  app.post('/api/cl1', cipherlayer(engine as Cipherlayer<ExpressRequest>), handle('cl1'));
  app.post('/api/raw', express.raw({ type: '*/*' }), handle('raw'));
  const server = createServer(app);
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

async function startFastify(setup: AppSetup, engine: Cipherlayer<never>, seen: Seen[]) {
  const profile = setup.profile('fastify') as Profile<FastifyRequest>;
  const app = Fastify();
  await app.register(cipherlayerFastify, {
    cipherlayer: engine as never,
    profiles: [profile as never],
    profile: profile.name,
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  const handle =
    (route: string) =>
    async (request: FastifyRequest, reply: { code(n: number): unknown; type(t: string): unknown }) => {
      const byProfile = request.cipherlayerProfile ?? undefined;
      const cl1 = request.cipherlayer !== null;
      seen.push({ route, body: request.body, profile: byProfile, cl1 });
      if (route === 'logout') {
        await byProfile?.revokeSession();
        return { revoked: true };
      }
      if (route === 'empty') {
        reply.code(204);
        return undefined;
      }
      if (route === 'raw') {
        return {
          contentType: request.headers['content-type'],
          length: (request.body as Buffer | undefined)?.length ?? 0,
        };
      }
      const out = answer(route, request.method, request.body, byProfile, cl1);
      reply.code(out.status);
      if (out.text !== undefined) {
        reply.type('text/plain');
        return out.text;
      }
      return out.json;
    };
  app.post('/api/transfer', handle('transfer'));
  app.get('/api/payment-details', handle('payment-details'));
  app.put('/api/echo', handle('echo'));
  app.route({
    method: ['GET', 'POST'],
    url: '/api/public',
    config: { cipherlayer: 'optional' },
    handler: handle('public'),
  });
  app.get('/api/text', handle('text'));
  app.get('/api/empty', handle('empty'));
  app.post('/api/logout', handle('logout'));
  app.route({
    method: ['GET', 'POST'],
    url: '/api/both',
    config: { cipherlayer: { profile: ['cl1', profile.name] } },
    handler: handle('both'),
  });
  app.post('/api/cl1', { config: { cipherlayer: { profile: 'cl1' } } }, handle('cl1'));
  app.post('/api/raw', { config: { cipherlayer: 'off' } }, handle('raw'));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

function honoRoutes(seen: Seen[]): Hono {
  const app = new Hono();
  const handle = (route: string) => async (c: Context) => {
    const type = c.req.header('content-type') ?? '';
    const profile = getCipherlayerProfile(c.req.raw);
    const cl1 = getCipherlayer(c.req.raw) !== undefined;
    let body: unknown;
    if (route === 'raw') body = new Uint8Array(await c.req.arrayBuffer());
    else if (type.includes('json')) body = await c.req.json();
    seen.push({ route, body, profile, cl1 });
    if (route === 'logout') {
      await profile?.revokeSession();
      return c.json({ revoked: true });
    }
    if (route === 'empty') return c.body(null, 204);
    if (route === 'raw') return c.json({ contentType: type, length: (body as Uint8Array).length });
    const out = answer(route, c.req.method, body, profile, cl1);
    if (out.text !== undefined) return c.text(out.text, out.status as 200);
    return c.json(out.json, out.status as 200);
  };
  app.post('/api/transfer', handle('transfer'));
  app.get('/api/payment-details', handle('payment-details'));
  app.put('/api/echo', handle('echo'));
  app.on(['GET', 'POST'], '/api/public', handle('public'));
  app.get('/api/text', handle('text'));
  app.get('/api/empty', handle('empty'));
  app.post('/api/logout', handle('logout'));
  app.on(['GET', 'POST'], '/api/both', handle('both'));
  app.post('/api/cl1', handle('cl1'));
  app.post('/api/raw', handle('raw'));
  return app;
}

async function startHono(setup: AppSetup, engine: Cipherlayer<never>, seen: Seen[], mode: 'hono' | 'fetch') {
  const profile = setup.profile(mode) as Profile<Request>;
  const cl1Engine = engine as Cipherlayer<Request>;
  const both = [cl1Engine, profile];
  const policy = (request: Request) => policyOf(new URL(request.url).pathname);
  let fetch: (request: Request) => Response | Promise<Response>;
  if (mode === 'hono') {
    const app = new Hono();
    app.use('*', cipherlayerHono(both, { policy: 'off' }));
    app.use('/api/both', cipherlayerHono(both));
    app.use('/api/cl1', cipherlayerHono(cl1Engine));
    const own = cipherlayerHono(profile, { policy });
    app.use('/api/*', async (c, next) => {
      const path = c.req.path;
      if (path === '/api/both' || path === '/api/cl1') return await next();
      return await own(c, next);
    });
    app.route('/', honoRoutes(seen));
    fetch = app.fetch;
  } else {
    const inner = honoRoutes(seen).fetch;
    const own = cipherlayerFetch(profile, inner, { policy });
    const mixed = cipherlayerFetch(both, inner);
    const cl1 = cipherlayerFetch(cl1Engine, inner);
    fetch = (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/api/both' || path.startsWith('/.well-known/')) return mixed(request);
      return path === '/api/cl1' ? cl1(request) : own(request);
    };
  }
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }) as unknown as Server;
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  };
}

export async function startApp(adapter: AdapterName, setup: AppSetup): Promise<App> {
  const seen: Seen[] = [];
  const engine = createCipherlayer({
    keys: keySet(),
    ...(setup.logger ? { logger: setup.logger } : {}),
  }) as Cipherlayer<never>;
  const started =
    adapter === 'express'
      ? await startExpress(setup, engine, seen)
      : adapter === 'fastify'
        ? await startFastify(setup, engine, seen)
        : await startHono(setup, engine, seen, adapter);
  return { adapter, engine, seen, ...started };
}

/** A plain HTTP exchange: status, lower-case headers, body text. */
export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json(): unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}
