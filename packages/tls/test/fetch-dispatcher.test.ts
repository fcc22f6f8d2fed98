import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createDevCa, createSecureServer, issueDevCertificate, peerIdentity } from '@cipherlayer/tls';
import { createFetchDispatcher, REJECT_UNAUTHORIZED_REFUSED } from '@cipherlayer/tls/undici';
import { type Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, listen, tlsRequest } from './helpers/connect.js';
import { createTestPki, type Pair, type TestPki } from './helpers/pki.js';

/**
 * The undici dispatcher over real handshakes on 127.0.0.1, with undici's
 * own fetch (see the README for Node's global fetch).
 */

let pki: TestPki;
let strangerServer: Pair;
let mtls: ReturnType<typeof createSecureServer>;
let mtlsPort: number;
let handled = 0;
const others: TlsServer[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  const elsewhere = join(pki.dir, 'stranger-server');
  const strangerCa = await createDevCa({ dir: elsewhere });
  const issued = await issueDevCertificate({ ca: strangerCa, usage: 'server', dir: elsewhere });
  strangerServer = { cert: readFileSync(issued.certFile, 'utf8'), key: readFileSync(issued.keyFile, 'utf8') };
  mtls = createSecureServer({ ...pki.server, clientCa: pki.ca }, (req, res) => {
    handled++;
    const socket = req.socket as { getProtocol?: () => string | null };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ caller: peerIdentity(req)?.dnsNames, protocol: socket.getProtocol?.() }));
  });
  mtlsPort = await listen(mtls);
});

afterAll(async () => {
  await close(mtls);
  for (const server of others) await close(server);
  pki.cleanup();
});

/** A server outside the policy (another CA, another host, old TLS): whatever it serves, the client must not read it. */
async function startOther(options: Parameters<typeof createTlsServer>[0]): Promise<number> {
  const server = createTlsServer(options, (socket) =>
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\nimpostor'),
  );
  others.push(server);
  return listen(server);
}

/** What undici's fetch throws: TypeError('fetch failed') with the TLS error as its cause. */
async function failure(url: string, dispatcher: Agent): Promise<{ code?: string }> {
  try {
    const response = await fetch(url, { dispatcher });
    return { code: `served ${response.status}: ${await response.text()}` };
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as { cause?: { code?: string } }).cause ?? {};
  }
}

async function using<T>(dispatcher: Agent, run: (d: Agent) => Promise<T>): Promise<T> {
  try {
    return await run(dispatcher);
  } finally {
    await dispatcher.close();
  }
}

describe('createFetchDispatcher with undici fetch', () => {
  it('presents the client certificate to a mutual-TLS server, which sees the verified caller', async () => {
    await using(createFetchDispatcher({ ca: pki.ca, ...pki.client }), async (dispatcher) => {
      const before = handled;
      for (const host of ['localhost', '127.0.0.1']) {
        const response = await fetch(`https://${host}:${mtlsPort}/`, { dispatcher });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ caller: ['orders.internal'], protocol: 'TLSv1.3' });
      }
      expect(handled).toBe(before + 2);
    });
  });

  it('speaks TLS 1.2 to a server that stops there', async () => {
    const port = await startOther({ ...pki.server, maxVersion: 'TLSv1.2' });
    await using(createFetchDispatcher({ ca: pki.ca }), async (dispatcher) => {
      const response = await fetch(`https://localhost:${port}/`, { dispatcher });
      expect(await response.text()).toBe('impostor');
    });
  });

  it('is refused by the mutual-TLS server without a client certificate', async () => {
    await using(createFetchDispatcher({ ca: pki.ca }), async (dispatcher) => {
      const before = handled;
      const cause = await failure(`https://localhost:${mtlsPort}/`, dispatcher);
      expect(cause.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET|EPIPE|ERR_SSL_)/);
      expect(handled).toBe(before);
    });
  });

  it('is refused by the mutual-TLS server with a client certificate from another CA', async () => {
    await using(createFetchDispatcher({ ca: pki.ca, ...pki.strangerClient }), async (dispatcher) => {
      const before = handled;
      const cause = await failure(`https://localhost:${mtlsPort}/`, dispatcher);
      expect(cause.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET|EPIPE|ERR_SSL_)/);
      expect(handled).toBe(before);
    });
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const port = await startOther(strangerServer);
    await using(createFetchDispatcher({ ca: pki.ca, ...pki.client }), async (dispatcher) => {
      expect(await failure(`https://localhost:${port}/`, dispatcher)).toMatchObject({
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    });
  });

  it('refuses a server whose certificate names another host, and accepts it under servername', async () => {
    const port = await startOther(pki.wrongHostServer);
    await using(createFetchDispatcher({ ca: pki.ca }), async (dispatcher) => {
      expect(await failure(`https://localhost:${port}/`, dispatcher)).toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    });
    // The control: the same certificate is fine for the name it carries.
    await using(
      createFetchDispatcher({ ca: pki.ca, servername: 'elsewhere.example' }),
      async (dispatcher) => {
        const response = await fetch(`https://127.0.0.1:${port}/`, { dispatcher });
        expect(await response.text()).toBe('impostor');
      },
    );
  });

  it('refuses a server whose highest version is TLS 1.1 (which an old client can reach)', async () => {
    const port = await startOther({
      ...pki.server,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    const control = await tlsRequest(port, {
      ca: pki.ca,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    expect(control).toMatchObject({ ok: true, protocol: 'TLSv1.1' });
    await using(createFetchDispatcher({ ca: pki.ca }), async (dispatcher) => {
      expect((await failure(`https://localhost:${port}/`, dispatcher)).code).toMatch(
        /^ERR_SSL_(UNSUPPORTED_PROTOCOL|TLSV1_ALERT_PROTOCOL_VERSION)$/,
      );
    });
  });

  it('keeps verifying when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    const port = await startOther(strangerServer);
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      await using(createFetchDispatcher({ ca: pki.ca }), async (dispatcher) => {
        expect(await failure(`https://localhost:${port}/`, dispatcher)).toMatchObject({
          code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        });
      });
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });
});

describe('createFetchDispatcher options', () => {
  it('refuses rejectUnauthorized: false, and a raw connect object that could carry it', () => {
    expect(() => createFetchDispatcher({ ca: pki.ca, rejectUnauthorized: false as never })).toThrow(
      REJECT_UNAUTHORIZED_REFUSED,
    );
    expect(() => createFetchDispatcher({ connect: { rejectUnauthorized: false } } as never)).toThrow(
      /unknown option "connect"/,
    );
    expect(() => createFetchDispatcher({ minVersion: 'TLSv1.1' as never })).toThrow(/RFC 8996/);
    expect(() => createFetchDispatcher({ connections: 0 })).toThrow(/connections must be an integer/);
    expect(() => createFetchDispatcher('ca.pem' as never)).toThrow(/needs an options object/);
  });
});

// Node's global fetch runs the undici bundled in Node; what the README says of it, checked on this runtime.
describe.runIf(process.versions.undici?.startsWith('6.'))("Node's global fetch (bundled undici 6)", () => {
  it('accepts this dispatcher and keeps its verification', async () => {
    await using(createFetchDispatcher({ ca: pki.ca, ...pki.client }), async (dispatcher) => {
      const init = { dispatcher } as RequestInit;
      const response = await globalThis.fetch(`https://localhost:${mtlsPort}/`, init);
      expect(await response.json()).toMatchObject({ caller: ['orders.internal'] });
      const port = await startOther(strangerServer);
      await expect(globalThis.fetch(`https://localhost:${port}/`, init)).rejects.toMatchObject({
        cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      });
    });
  });
});

describe('the main entry', () => {
  it('never loads undici (an optional peer): only the /undici entry does', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
    const importsOf = (file: string) =>
      [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'";]*from '([^']+)'/gm)].map(
        (m) => m[1] as string,
      );
    const seen = new Set<string>();
    const bare = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('.')) walk(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        else bare.add(specifier);
      }
    };
    walk(join(src, 'index.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect([...bare].filter((name) => name.startsWith('undici'))).toEqual([]);
    expect(readdirSync(join(src, 'client'))).toContain('undici-dispatcher.ts');
    expect(importsOf(join(src, 'client', 'undici-dispatcher.ts'))).toContain('undici');
  });
});
