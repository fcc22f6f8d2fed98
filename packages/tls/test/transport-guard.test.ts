import { createServer as createHttpServer } from 'node:http';
import { errorRegistry } from '@cipherlayer/core';
import { createClientAgent, createSecureServer, REFUSAL_CODE, transportGuard } from '@cipherlayer/tls';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, httpsGet, listen } from './helpers/connect.js';
import { createTestPki, type TestPki } from './helpers/pki.js';
import { plainGet } from './helpers/plain.js';

const PROXY = '127.0.0.1';
const ELSEWHERE = '127.0.0.2';

/** cipherlayer's standard error (spec/http.md), from core's registry. */
const REFUSAL = { error: { code: 'ERR_TLS_REQUIRED', message: errorRegistry.ERR_TLS_REQUIRED.message } };

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki.cleanup());

function expressApp(options: Parameters<typeof transportGuard>[0]) {
  const app = express();
  app.use(transportGuard(options).express);
  app.get('/', (_req, res) => {
    res.send('served');
  });
  return app;
}

async function fastifyApp(options: Parameters<typeof transportGuard>[0]) {
  const app = Fastify();
  app.addHook('onRequest', transportGuard(options).fastify);
  app.get('/', async () => 'served');
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
}

describe.each([
  [
    'node:http',
    async (options: Parameters<typeof transportGuard>[0]) => {
      const guard = transportGuard(options).express;
      const server = createHttpServer((req, res) => guard(req, res, () => res.end('served')));
      const port = await listen(server);
      return { port, close: () => close(server) };
    },
  ],
  [
    'Express',
    async (options: Parameters<typeof transportGuard>[0]) => {
      const server = createHttpServer(expressApp(options));
      const port = await listen(server);
      return { port, close: () => close(server) };
    },
  ],
  ['Fastify', fastifyApp],
])('the transport guard on %s over plain HTTP', (_name, start) => {
  it('refuses every plain request in production with 403 ERR_TLS_REQUIRED, the standard error body', async () => {
    const app = await start({ production: true });
    try {
      const response = await plainGet(app.port);
      expect(response.status).toBe(errorRegistry.ERR_TLS_REQUIRED.status);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
      expect(Number.isNaN(Date.parse(String(response.headers.date)))).toBe(false);
      expect(JSON.parse(response.body)).toEqual(REFUSAL);
      expect(REFUSAL_CODE).toBe('ERR_TLS_REQUIRED');
      expect(response.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('believes X-Forwarded-Proto only from the trusted proxy address', async () => {
    const app = await start({ production: true, trustedProxies: [`${PROXY}/32`] });
    try {
      const viaProxy = await plainGet(app.port, {
        localAddress: PROXY,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(viaProxy.status).toBe(200);
      expect(viaProxy.headers['strict-transport-security']).toBe('max-age=31536000');
      const spoofed = await plainGet(app.port, {
        localAddress: ELSEWHERE,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(spoofed.status).toBe(403);
      const proxyPlain = await plainGet(app.port, {
        localAddress: PROXY,
        headers: { 'x-forwarded-proto': 'http' },
      });
      expect(proxyPlain.status).toBe(403);
      const proxyNoHeader = await plainGet(app.port, { localAddress: PROXY });
      expect(proxyNoHeader.status).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('reads no other header: Forwarded, X-Forwarded-Ssl and friends are ignored', async () => {
    const app = await start({ production: true, trustedProxies: [PROXY] });
    try {
      for (const headers of [
        { forwarded: 'proto=https' },
        { 'x-forwarded-ssl': 'on' },
        { 'front-end-https': 'on' },
        { 'x-url-scheme': 'https' },
        { 'x-forwarded-protocol': 'https' },
      ]) {
        expect((await plainGet(app.port, { localAddress: PROXY, headers })).status).toBe(403);
      }
    } finally {
      await app.close();
    }
  });

  it('takes the rightmost X-Forwarded-Proto entry: the one the trusted proxy added', async () => {
    const app = await start({ production: true, trustedProxies: [PROXY] });
    try {
      const appended = await plainGet(app.port, {
        localAddress: PROXY,
        headers: { 'x-forwarded-proto': 'https, http' },
      });
      expect(appended.status).toBe(403);
      const clientClaim = await plainGet(app.port, {
        localAddress: PROXY,
        headers: { 'x-forwarded-proto': 'http, https' },
      });
      expect(clientClaim.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('lets plain HTTP through outside production, without HSTS', async () => {
    const app = await start({ production: false });
    try {
      const response = await plainGet(app.port);
      expect(response.status).toBe(200);
      expect(response.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('the transport guard behind TLS', () => {
  it('serves requests on its own TLS socket and adds HSTS', async () => {
    const server = createSecureServer(
      pki.server,
      expressApp({ production: true, hsts: { maxAge: 600, includeSubDomains: true } }),
    );
    const port = await listen(server);
    const agent = createClientAgent({ ca: pki.ca });
    try {
      const outcome = await httpsGet(`https://localhost:${port}/`, agent);
      expect(outcome).toMatchObject({ ok: true, status: 200, body: 'served' });
      if (outcome.ok)
        expect(outcome.headers['strict-transport-security']).toBe('max-age=600; includeSubDomains');
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it('refuses a TLS hop from the proxy when the proxy says the client came over http', async () => {
    const server = createSecureServer(pki.server, expressApp({ production: true, trustedProxies: [PROXY] }));
    const port = await listen(server);
    const agent = createClientAgent({ ca: pki.ca, keepAlive: false });
    try {
      const outcome = await new Promise<number>((done, fail) => {
        import('node:https').then(({ request }) => {
          const req = request(
            `https://localhost:${port}/`,
            { agent, headers: { 'x-forwarded-proto': 'http' } },
            (res) => {
              res.resume();
              done(res.statusCode ?? 0);
            },
          );
          req.once('error', fail);
          req.end();
        }, fail);
      });
      expect(outcome).toBe(403);
    } finally {
      agent.destroy();
      await close(server);
    }
  });
});

describe('the Web-standard check', () => {
  const guard = transportGuard({ production: true, trustedProxies: ['10.0.0.0/8', 'fd00::/8'] });
  const request = (headers: Record<string, string> = {}) => new Request('http://api.example/', { headers });

  it('refuses a plain request with a 403 Response', async () => {
    const verdict = guard.web(request(), { encrypted: false, remoteAddress: '203.0.113.9' });
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) {
      expect(verdict.response.status).toBe(403);
      expect(verdict.response.headers.get('content-type')).toBe('application/json');
      expect(verdict.response.headers.get('cache-control')).toBe('no-store');
      expect(Number.isNaN(Date.parse(verdict.response.headers.get('date') ?? ''))).toBe(false);
      expect(await verdict.response.json()).toEqual(REFUSAL);
    }
  });

  it('accepts TLS, and X-Forwarded-Proto from a trusted range (IPv4, IPv4-mapped IPv6, IPv6)', () => {
    expect(guard.web(request(), { encrypted: true, remoteAddress: '203.0.113.9' })).toEqual({
      allowed: true,
      headers: { 'strict-transport-security': 'max-age=31536000' },
    });
    for (const remoteAddress of ['10.1.2.3', '::ffff:10.1.2.3', 'fd12::1'])
      expect(
        guard.web(request({ 'x-forwarded-proto': 'https' }), { encrypted: false, remoteAddress }).allowed,
      ).toBe(true);
    for (const remoteAddress of ['11.0.0.1', 'fe80::1', undefined, 'not-an-ip'])
      expect(
        guard.web(request({ 'x-forwarded-proto': 'https' }), { encrypted: false, remoteAddress }).allowed,
      ).toBe(false);
  });

  it('uses NODE_ENV=production as the default', () => {
    const previous = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(transportGuard().policy.production).toBe(true);
      process.env.NODE_ENV = 'development';
      expect(transportGuard().policy.production).toBe(false);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
