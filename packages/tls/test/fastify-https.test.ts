import { createClientAgent, createSecureServer, peerIdentity, secureServerOptions } from '@cipherlayer/tls';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsGet } from './helpers/connect.js';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki.cleanup());

describe('Fastify over TLS', () => {
  it('takes secureServerOptions as its https option, mutual TLS included', async () => {
    const app = Fastify({ https: secureServerOptions({ ...pki.server, clientCa: pki.ca }) });
    app.get('/', async (request) => ({ client: peerIdentity(request)?.dnsNames }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const agent = createClientAgent({ ca: pki.ca, ...pki.client, keepAlive: false });
    const anonymous = createClientAgent({ ca: pki.ca, keepAlive: false });
    try {
      const outcome = await httpsGet(`https://localhost:${port}/`, agent);
      expect(outcome).toMatchObject({ ok: true, status: 200, protocol: 'TLSv1.3' });
      if (outcome.ok) expect(JSON.parse(outcome.body)).toEqual({ client: ['orders.internal'] });
      expect((await httpsGet(`https://localhost:${port}/`, anonymous)).ok).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('runs on createSecureServer through serverFactory, with HSTS and an allow-list', async () => {
    const app = Fastify({
      serverFactory: (handler) =>
        createSecureServer(
          { ...pki.server, clientCa: pki.ca, allowedClients: ['billing.internal'], hsts: { maxAge: 60 } },
          handler,
        ),
    });
    app.get('/', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const billing = createClientAgent({ ca: pki.ca, ...pki.otherClient, keepAlive: false });
    const orders = createClientAgent({ ca: pki.ca, ...pki.client, keepAlive: false });
    try {
      const outcome = await httpsGet(`https://localhost:${port}/`, billing);
      expect(outcome).toMatchObject({ ok: true, status: 200, body: 'ok' });
      if (outcome.ok) expect(outcome.headers['strict-transport-security']).toBe('max-age=60');
      expect((await httpsGet(`https://localhost:${port}/`, orders)).ok).toBe(false);
    } finally {
      await app.close();
    }
  });
});
