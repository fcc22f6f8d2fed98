import { createServer as createHttpsServer } from 'node:https';
import { createClientAgent, createSecureServer, REJECT_UNAUTHORIZED_REFUSED } from '@cipherlayer/tls';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, httpsGet, listen } from './helpers/connect.js';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
let port: number;
let wrongHostPort: number;
let server: ReturnType<typeof createSecureServer>;
let wrongHost: ReturnType<typeof createHttpsServer>;

beforeAll(async () => {
  pki = await createTestPki();
  server = createSecureServer(pki.server, (_req, res) => res.end('{"ok":true}'));
  port = await listen(server);
  wrongHost = createHttpsServer(pki.wrongHostServer, (_req, res) => res.end('impostor'));
  wrongHostPort = await listen(wrongHost);
});

afterAll(async () => {
  await close(server);
  await close(wrongHost);
  pki.cleanup();
});

describe('a client agent', () => {
  it('connects to a server whose certificate its CA signed, by name and by IP address', async () => {
    const agent = createClientAgent({ ca: pki.ca });
    expect(await httpsGet(`https://localhost:${port}/`, agent)).toMatchObject({ ok: true, status: 200 });
    expect(await httpsGet(`https://127.0.0.1:${port}/`, agent)).toMatchObject({ ok: true, status: 200 });
    agent.destroy();
  });

  it('refuses a server whose certificate does not name the host', async () => {
    const agent = createClientAgent({ ca: pki.ca });
    const outcome = await httpsGet(`https://localhost:${wrongHostPort}/`, agent);
    expect(outcome).toMatchObject({ ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    agent.destroy();
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const agent = createClientAgent({ ca: pki.otherCa });
    const outcome = await httpsGet(`https://localhost:${port}/`, agent);
    expect(outcome).toMatchObject({ ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    agent.destroy();
  });

  it('refuses a private CA when given none (public roots only)', async () => {
    const agent = createClientAgent();
    const outcome = await httpsGet(`https://localhost:${port}/`, agent);
    expect(outcome).toMatchObject({ ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    agent.destroy();
  });

  it('keeps verifying when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const agent = createClientAgent({ ca: pki.otherCa });
      const outcome = await httpsGet(`https://localhost:${port}/`, agent);
      expect(outcome).toMatchObject({ ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      agent.destroy();
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });

  it('refuses rejectUnauthorized: false with a message that says what to do instead', () => {
    expect(() => createClientAgent({ ca: pki.ca, rejectUnauthorized: false as never })).toThrow(
      REJECT_UNAUTHORIZED_REFUSED,
    );
    expect(() => createClientAgent({ rejectUnauthorized: false as never })).toThrow(
      /ERR_CONFIG|invalid configuration/,
    );
  });

  it('serves axios as its httpsAgent', async () => {
    const agent = createClientAgent({ ca: pki.ca });
    const response = await axios.get(`https://localhost:${port}/`, { httpsAgent: agent, proxy: false });
    expect(response.data).toEqual({ ok: true });
    await expect(
      axios.get(`https://localhost:${wrongHostPort}/`, { httpsAgent: agent, proxy: false }),
    ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    agent.destroy();
  });
});
