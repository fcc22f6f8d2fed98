import { createServer } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import { cipherlayer } from '../../../src/express.js';
import type { Cipherlayer } from '../../../src/index.js';
import { createCipherlayer } from '../../../src/index.js';
import { type AppSetup, attributesFrom, BALANCE, type Harness, routePolicy } from '../harness.js';
import { close, listen, sendLoopback } from '../loopback.js';

export async function startExpress(setup: AppSetup): Promise<Harness> {
  const { seen, attributeHeaders } = setup;
  const engine = createCipherlayer<Request>({
    ...setup.options,
    sessionAttributes: (req) => attributesFrom(attributeHeaders, (name) => req.get(name)),
  });
  const app = express();
  // The app's own JSON parser, mounted after cipherlayer: it must leave the plaintext body alone.
  app.use(cipherlayer(engine, { policy: (req) => routePolicy(req.path) }));
  app.use(express.json());
  const record = (route: string, req: Request): void => {
    seen.push({
      route,
      method: req.method,
      body: req.body,
      contentType: req.get('content-type'),
      exchange: req.cipherlayer,
    });
  };
  // A second, route-level middleware: it sees the request already opened and lets it through.
  app.post('/api/transfer', cipherlayer(engine), (req: Request, res: Response) => {
    record('transfer', req);
    res.status(201).json({ ok: true, to: req.body?.to, amount: req.body?.amount });
  });
  app.get('/api/balance', (req, res) => {
    record('balance', req);
    res.json(BALANCE);
  });
  app.get('/api/public', (req, res) => {
    record('public', req);
    res.json({ public: true });
  });
  app.post('/api/raw', express.raw({ type: '*/*' }), (req, res) => {
    record('raw', req);
    res.json({
      contentType: req.get('content-type'),
      length: Buffer.isBuffer(req.body) ? req.body.length : 0,
    });
  });
  app.post('/api/login', async (req, res) => {
    record('login', req);
    res.json({ bound: await req.cipherlayer?.bindSession({ user: String(req.body.user) }) });
  });
  app.post('/api/logout', async (req, res) => {
    record('logout', req);
    await req.cipherlayer?.revokeSession();
    res.json({ revoked: true });
  });
  app.get('/api/empty', (req, res) => {
    record('empty', req);
    res.status(204).end();
  });
  app.get('/api/large', (req, res) => {
    record('large', req);
    res.type('text/plain').send('x'.repeat(Number(req.query.bytes)));
  });
  app.put('/api/echo', (req, res) => {
    record('echo', req);
    res.json({
      contentType: req.get('content-type'),
      body: Buffer.isBuffer(req.body) ? `bytes:${req.body.length}` : req.body,
    });
  });
  const server = createServer(app);
  await listen(server);
  return {
    name: 'express',
    engine,
    seen,
    send: (request) => sendLoopback(server, request),
    stream: (request, options) => sendLoopback(server, request, options),
    close: () => close(server),
  };
}

/** A Harness over any Express app, for tests of Express-only behaviour. */
export async function serveExpress(app: Express, engine: Cipherlayer<Request>): Promise<Harness> {
  const server = createServer(app);
  await listen(server);
  return {
    name: 'express',
    engine,
    seen: [],
    send: (request) => sendLoopback(server, request),
    stream: (request, options) => sendLoopback(server, request, options),
    close: () => close(server),
  };
}
