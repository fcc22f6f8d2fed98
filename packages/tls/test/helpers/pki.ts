import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCa, createDevCertificates, issueDevCertificate } from '@cipherlayer/tls';

export interface Pair {
  readonly cert: string;
  readonly key: string;
}

/** Everything the TLS tests connect with, made by the package's own openssl helpers in a temp dir. */
export interface TestPki {
  readonly dir: string;
  readonly ca: string;
  readonly server: Pair;
  readonly client: Pair;
  /** A client certificate from another CA. */
  readonly strangerClient: Pair;
  readonly otherCa: string;
  /** Signed by the right CA, but expired last year. */
  readonly expiredClient: Pair;
  /** Signed by the right CA, for another name only. */
  readonly wrongHostServer: Pair;
  /** A server certificate (serverAuth only) used as a client certificate. */
  readonly serverAsClient: Pair;
  /** A second client of the right CA, not on allow-lists. */
  readonly otherClient: Pair;
  cleanup(): void;
}

const read = (files: { certFile: string; keyFile: string }): Pair => ({
  cert: readFileSync(files.certFile, 'utf8'),
  key: readFileSync(files.keyFile, 'utf8'),
});

export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'cl-tls-test-'));
  const main = await createDevCertificates({ dir, clients: ['orders.internal', 'billing.internal'] });
  const otherDir = join(dir, 'other');
  const otherCa = await createDevCa({ dir: otherDir });
  const stranger = await issueDevCertificate({
    ca: otherCa,
    usage: 'client',
    name: 'orders.internal',
    dir: otherDir,
  });
  const lastYear = Date.now() - 400 * 86_400_000;
  const expired = await issueDevCertificate({
    ca: main.ca,
    usage: 'client',
    name: 'orders.internal',
    dir,
    fileName: 'expired',
    notBefore: new Date(lastYear),
    notAfter: new Date(lastYear + 30 * 86_400_000),
  });
  const wrongHost = await issueDevCertificate({
    ca: main.ca,
    usage: 'server',
    hosts: ['elsewhere.example'],
    dir,
    fileName: 'wrong-host',
  });
  return {
    dir,
    ca: main.ca.cert,
    server: read(main.server),
    client: read(main.clients[0] as never),
    otherClient: read(main.clients[1] as never),
    strangerClient: read(stranger),
    otherCa: otherCa.cert,
    expiredClient: read(expired),
    wrongHostServer: read(wrongHost),
    serverAsClient: read(main.server),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
