import { createClientAgent, createSecureServer, peerIdentity } from '@cipherlayer/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, httpsGet, listen } from './helpers/connect.js';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
let port: number;
let server: ReturnType<typeof createSecureServer>;
let handled = 0;

beforeAll(async () => {
  pki = await createTestPki();
  server = createSecureServer({ ...pki.server, clientCa: pki.ca }, (req, res) => {
    handled++;
    const identity = peerIdentity(req);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ dnsNames: identity?.dnsNames, commonName: identity?.commonName }));
  });
  port = await listen(server);
});

afterAll(async () => {
  await close(server);
  pki.cleanup();
});

const url = () => `https://localhost:${port}/`;

describe('a mutual-TLS server', () => {
  it('accepts a client certificate of its CA and exposes the verified identity', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const agent = createClientAgent({ ca: pki.ca, ...pki.client });
      agent.options.maxVersion = maxVersion;
      const outcome = await httpsGet(url(), agent);
      expect(outcome).toMatchObject({ ok: true, status: 200, protocol: maxVersion });
      if (outcome.ok)
        expect(JSON.parse(outcome.body)).toEqual({
          dnsNames: ['orders.internal'],
          commonName: 'orders.internal',
        });
      agent.destroy();
    }
  });

  it.each([
    ['without a certificate', () => ({})],
    ['with a certificate from another CA', () => pki.strangerClient],
    ['with an expired certificate', () => pki.expiredClient],
    ['with a server certificate (no clientAuth usage)', () => pki.serverAsClient],
  ])('refuses a client %s before any request is read', async (_name, credentials) => {
    const before = handled;
    const agent = createClientAgent({ ca: pki.ca, keepAlive: false });
    // The expired pair cannot pass the agent's own checks; a raw agent presents it anyway.
    Object.assign(agent.options, credentials());
    const outcome = await httpsGet(url(), agent);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.code).toMatch(/ECONNRESET|ERR_SSL_|EPIPE/);
    expect(handled).toBe(before);
    agent.destroy();
  });

  it('disconnects a verified client that is not in allowedClients', async () => {
    const strict = createSecureServer(
      { ...pki.server, clientCa: pki.ca, allowedClients: ['orders.internal'] },
      (_req, res) => res.end('ok'),
    );
    const strictPort = await listen(strict);
    try {
      const allowed = createClientAgent({ ca: pki.ca, ...pki.client, keepAlive: false });
      expect(await httpsGet(`https://localhost:${strictPort}/`, allowed)).toMatchObject({
        ok: true,
        body: 'ok',
      });
      const other = createClientAgent({ ca: pki.ca, ...pki.otherClient, keepAlive: false });
      const refused = await httpsGet(`https://localhost:${strictPort}/`, other);
      expect(refused.ok).toBe(false);
    } finally {
      await close(strict);
    }
  });
});
