import { execFile } from 'node:child_process';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createSecureServer } from '@cipherlayer/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, listen, tlsRequest } from './helpers/connect.js';
import { createTestPki, type TestPki } from './helpers/pki.js';

// An old client: Node's OpenSSL only offers TLS 1.0/1.1 at security level 0.
const legacy = (version: 'TLSv1' | 'TLSv1.1') =>
  ({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' }) as const;

let pki: TestPki;
let port: number;
let server: ReturnType<typeof createSecureServer>;
let permissive: TlsServer;
let permissivePort: number;

beforeAll(async () => {
  pki = await createTestPki();
  server = createSecureServer(pki.server, (_req, res) => res.end('hello'));
  port = await listen(server);
  // Control: a server that still allows TLS 1.0, to prove the old client really can speak it.
  permissive = createTlsServer(
    { ...pki.server, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
    (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'),
  );
  permissivePort = await listen(permissive);
});

afterAll(async () => {
  await close(server);
  await close(permissive);
  pki.cleanup();
});

describe('TLS versions', () => {
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    it(`refuses a ${version} client (which a permissive server accepts)`, async () => {
      const control = await tlsRequest(permissivePort, { ca: pki.ca, ...legacy(version) });
      expect(control).toMatchObject({ ok: true, protocol: version });
      const outcome = await tlsRequest(port, { ca: pki.ca, ...legacy(version) });
      expect(outcome).toMatchObject({ ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    });
  }

  it('accepts TLS 1.2', async () => {
    const outcome = await tlsRequest(port, { ca: pki.ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(outcome).toMatchObject({ ok: true, protocol: 'TLSv1.2', status: 200, body: 'hello' });
  });

  it('negotiates TLS 1.3 when the client has it', async () => {
    const outcome = await tlsRequest(port, { ca: pki.ca });
    expect(outcome).toMatchObject({ ok: true, protocol: 'TLSv1.3', status: 200 });
  });

  it('refuses a TLS 1.2 client offering only CBC (non-AEAD) suites', async () => {
    const outcome = await tlsRequest(port, {
      ca: pki.ca,
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA',
    });
    expect(outcome).toMatchObject({ ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
  });

  it('refuses openssl s_client -tls1_1 as an old client too', async () => {
    const output = await new Promise<string>((done) => {
      const child = execFile(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'],
        { timeout: 10_000 },
        (_error, stdout, stderr) => done(stdout + stderr),
      );
      child.stdin?.end();
    });
    expect(output).toMatch(/alert protocol version|no protocols available|wrong version number/);
    expect(output).toMatch(/Cipher is \(NONE\)/);
  });
});
