import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { POSTGRES } from './records-db.js';

/**
 * A TLS front for the local PostgreSQL (which runs without TLS here): it
 * answers PostgreSQL's SSLRequest with "S", does the TLS handshake with a
 * certificate from a throwaway CA made by openssl, and relays the decrypted
 * stream to 127.0.0.1:5432. What the client verifies is real TLS.
 */

export interface TestCa {
  readonly ca: string;
  readonly otherCa: string;
  readonly key: string;
  readonly cert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

export function makeCertificates(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'cl-tls-'));
  const day = ['-days', '2'];
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=cipherlayer test CA',
    ...day,
  ]);
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'other.key',
    '-out',
    'other.pem',
    '-subj',
    '/CN=another CA',
    ...day,
  ]);
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-extfile',
    'san.ext',
    ...day,
  ]);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    ca: read('ca.pem'),
    otherCa: read('other.pem'),
    key: read('server.key'),
    cert: read('server.pem'),
  };
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export interface TlsProxy {
  readonly port: number;
  /** Connections that completed a TLS handshake. */
  handshakes: number;
  close(): Promise<void>;
}

export async function startTlsProxy(certs: TestCa): Promise<TlsProxy> {
  const sockets = new Set<Socket>();
  const state = { handshakes: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (first) => {
      if (!first.subarray(0, 8).equals(SSL_REQUEST)) {
        socket.destroy();
        return;
      }
      socket.write('S');
      const tls = new TLSSocket(socket, {
        isServer: true,
        key: certs.key,
        cert: certs.cert,
        minVersion: 'TLSv1.2',
      });
      tls.on('secure', () => {
        state.handshakes++;
        const upstream = connect(POSTGRES.port, POSTGRES.host);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        tls.pipe(upstream).pipe(tls);
        upstream.on('error', () => tls.destroy());
      });
      tls.on('error', () => socket.destroy());
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    get handshakes() {
      return state.handshakes;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
