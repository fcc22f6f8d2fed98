import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cipherlayer } from '../src/express.js';
import { createCipherlayer } from '../src/index.js';
import { serveExpress } from './helpers/apps/express-app.js';
import { TestClient } from './helpers/client.js';
import type { Harness } from './helpers/harness.js';
import { keySet } from './helpers/keys.js';

const SECRET = 'card 4242 4242 4242 4242';

/**
 * Express: every way a route can answer is sealed (seed 002's promise: the
 * handlers do not change), the app's own parsers and error handlers keep
 * working, and nothing about the plaintext leaks through headers.
 */
describe('Express responses', () => {
  let harness: Harness;
  let client: TestClient;
  const file = join(mkdtempSync(join(tmpdir(), 'cipherlayer-')), 'statement.txt');
  writeFileSync(file, `${SECRET}\n`.repeat(50));

  beforeAll(async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const app = express();
    app.use(cipherlayer(engine));
    app.use(express.json());
    app.get('/json', (_req, res) => res.json({ card: SECRET }));
    app.get('/send-string', (_req, res) => res.send(`<p>${SECRET}</p>`));
    app.get('/send-buffer', (_req, res) => res.type('application/octet-stream').send(Buffer.from(SECRET)));
    app.get('/end', (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(SECRET);
    });
    app.get('/write', (_req, res) => {
      res.writeHead(202, { 'content-type': 'text/plain', 'x-app': 'kept' });
      res.write('card ');
      res.write(Buffer.from('4242 4242 '), () => {});
      res.end('4242 4242', 'utf8');
    });
    app.get('/raw-head', (_req, res) => {
      res.writeHead(201, 'Made', ['content-type', 'text/plain', 'x-raw', 'yes']);
      res.end(SECRET, () => {
        // Whatever the route writes after its end goes nowhere, and does not crash.
        res.write('late');
        res.end('later');
      });
    });
    app.get('/pipe', (_req, res) => {
      res.type('text/plain');
      Readable.from(['card ', '4242 4242 ', '4242 4242']).pipe(res);
    });
    app.get('/file', (_req, res) => res.sendFile(file));
    app.get('/status', (_req, res) => res.sendStatus(404));
    app.get('/redirect', (_req, res) => res.redirect('/json'));
    app.get('/unprocessable', (_req, res) => res.status(422).json({ field: 'amount', card: SECRET }));
    app.get('/throws', () => {
      throw new Error(`handler failed for ${SECRET}`);
    });
    app.post('/parsed', (req, res) =>
      res.json({ body: req.body, type: req.get('content-type'), length: req.get('content-length') }),
    );
    app.get('/conditional', (req, res) =>
      res.json({ ifNoneMatch: req.get('if-none-match') ?? null, range: req.get('range') ?? null }),
    );
    app.get('/compressed', (_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end('not really gzip');
    });
    app.use(
      (
        error: Error & { status?: number; type?: string },
        _req: Request,
        res: Response,
        _next: NextFunction,
      ) => {
        res.status(error.status ?? 500).json({ handled: error.message, type: error.type ?? null });
      },
    );
    harness = await serveExpress(app, engine);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  async function get(target: string) {
    const out = await client.call({ method: 'GET', target, session: false });
    expect(out.response.body.toString('latin1')).not.toContain('4242');
    expect(out.response.headers.etag).toBeUndefined();
    expect(out.response.headers['cache-control']).toBe('no-store');
    return out;
  }

  it('res.json, res.send (string, Buffer), res.end', async () => {
    expect((await get('/json')).json()).toEqual({ card: SECRET });
    const html = await get('/send-string');
    expect(html.text).toBe(`<p>${SECRET}</p>`);
    expect(html.contentType).toBe('text/html; charset=utf-8');
    const bytes = await get('/send-buffer');
    expect(bytes.text).toBe(SECRET);
    expect(bytes.contentType).toBe('application/octet-stream');
    expect((await get('/end')).text).toBe(SECRET);
  });

  it('writeHead + write + end, with the status and headers the route set', async () => {
    const out = await get('/write');
    expect(out.status).toBe(202);
    expect(out.text).toBe(SECRET);
    expect(out.response.headers['x-app']).toBe('kept');
  });

  it('writeHead with a raw header list and a reason; writes after the end are dropped', async () => {
    const out = await get('/raw-head');
    expect([out.status, out.text, out.contentType]).toEqual([201, SECRET, 'text/plain']);
    expect(out.response.headers['x-raw']).toBe('yes');
  });

  it('a stream piped into res, and res.sendFile', async () => {
    expect((await get('/pipe')).text).toBe(SECRET);
    const out = await get('/file');
    expect(out.text).toBe(`${SECRET}\n`.repeat(50));
    expect(out.response.headers['last-modified']).toBeDefined();
  });

  it('sendStatus, redirect, an app error status, a thrown error: all sealed under their status', async () => {
    const status = await get('/status');
    expect([status.status, status.text]).toEqual([404, 'Not Found']);
    const redirect = await get('/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.response.headers.location).toBe('/json');
    const unprocessable = await get('/unprocessable');
    expect(unprocessable.status).toBe(422);
    expect(unprocessable.json()).toEqual({ field: 'amount', card: SECRET });
    const thrown = await get('/throws');
    expect(thrown.status).toBe(500);
    expect(thrown.json()).toEqual({ handled: `handler failed for ${SECRET}`, type: null });
  });

  it('req.body is the parsed plaintext; express.json() after cipherlayer leaves it alone', async () => {
    const out = await client.call({
      method: 'POST',
      target: '/parsed',
      json: { amount: 12.5 },
      session: false,
    });
    expect(out.json()).toEqual({ body: { amount: 12.5 }, type: 'application/json', length: '15' });
  });

  it('plaintext that is not the JSON it claims: a 400 through the app error handler, sealed, quoting nothing', async () => {
    const out = await client.call({
      method: 'POST',
      target: '/parsed',
      plain: { contentType: 'application/json', body: `{"card": "${SECRET}"` },
      session: false,
    });
    expect(out.status).toBe(400);
    expect(out.json()).toEqual({
      handled: 'the decrypted request body is not valid JSON',
      type: 'entity.parse.failed',
    });
  });

  it('conditional and range headers never reach the app (no 304/206 oracle on the plaintext)', async () => {
    const out = await client.call({
      method: 'GET',
      target: '/conditional',
      session: false,
      headers: { 'if-none-match': 'W/"guess"', range: 'bytes=0-3' },
    });
    expect(out.status).toBe(200);
    expect(out.json()).toEqual({ ifNoneMatch: null, range: null });
    const json = await client.call({
      method: 'GET',
      target: '/json',
      session: false,
      headers: { 'if-none-match': '*' },
    });
    expect(json.status).toBe(200);
  });

  it('a body compressed inside cipherlayer is not sent: 500 in the clear', async () => {
    const built = await client.build({ method: 'GET', target: '/compressed', session: false });
    const response = await harness.send(built.request);
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body.toString()).error.code).toBe('ERR_INTERNAL');
    expect(response.headers['content-encoding']).toBeUndefined();
  });
});

describe('Express method overrides', () => {
  let harness: Harness;
  let client: TestClient;
  const ran: string[] = [];
  beforeAll(async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const override = (req: Request, _res: Response, next: NextFunction) => {
      const method = req.get('x-http-method-override');
      if (method !== undefined) req.method = method;
      next();
    };
    const app = express();
    // Before cipherlayer on /before: the binding uses the overridden method.
    app.use('/before', override);
    app.use(cipherlayer(engine, { policy: 'optional' }));
    // After cipherlayer on /after: the route-level middleware sees the method changed since opening.
    app.use('/after', override);
    for (const prefix of ['/before', '/after']) {
      app.post(`${prefix}/item`, cipherlayer(engine), (_req, res) => {
        ran.push(`POST ${prefix}`);
        res.json({ method: 'POST' });
      });
      app.delete(`${prefix}/item`, cipherlayer(engine), (_req, res) => {
        ran.push(`DELETE ${prefix}`);
        res.json({ method: 'DELETE' });
      });
    }
    harness = await serveExpress(app, engine);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('an override after cipherlayer opened a POST cannot take it to the DELETE handler', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/after/item',
      json: {},
      session: false,
      headers: { 'x-http-method-override': 'DELETE' },
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(415);
    expect(ran).toEqual([]);
  });

  it('an override before cipherlayer: a message sealed for POST does not open as DELETE', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/before/item',
      json: {},
      session: false,
      headers: { 'x-http-method-override': 'DELETE' },
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.code).toBe('ERR_DECRYPT');
    expect(ran).toEqual([]);
    // A client that knows about the override binds to the method the app acts on.
    const bound = await client.call({
      method: 'POST',
      target: '/before/item',
      json: {},
      session: false,
      bindTo: { method: 'DELETE', target: '/before/item' },
      headers: { 'x-http-method-override': 'DELETE' },
    });
    expect(bound.json()).toEqual({ method: 'DELETE' });
  });
});

describe('Express body parsers mounted before cipherlayer', () => {
  it('a body already read into a Buffer by express.raw() is still opened', async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const app = express();
    app.use(express.raw({ type: 'application/cipherlayer' }));
    app.use(cipherlayer(engine));
    app.post('/x', (req, res) => res.json({ got: req.body }));
    const harness = await serveExpress(app, engine);
    const client = await TestClient.connect(harness);
    const out = await client.call({ method: 'POST', target: '/x', json: { a: 1 }, session: false });
    expect(out.json()).toEqual({ got: { a: 1 } });
    await harness.close();
  });

  it('a body consumed into something else fails closed with 500', async () => {
    const engine = createCipherlayer<Request>({ keys: keySet() });
    const app = express();
    app.use(express.text({ type: '*/*' }));
    app.use((req, _res, next) => {
      req.body = { replaced: true };
      next();
    });
    app.use(cipherlayer(engine));
    app.post('/x', (_req, res) => res.json({ ran: true }));
    const harness = await serveExpress(app, engine);
    const client = await TestClient.connect(harness);
    const built = await client.build({ method: 'POST', target: '/x', json: { a: 1 }, session: false });
    const response = await harness.send(built.request);
    expect(response.status).toBe(500);
    await harness.close();
  });
});
