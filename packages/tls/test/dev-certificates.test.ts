import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCa, createDevCertificates, issueDevCertificate } from '@cipherlayer/tls';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-devcerts-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const text = (file: string) =>
  execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
const mode = (file: string) => statSync(file).mode & 0o777;

describe('development certificates', () => {
  it('make a CA, a server and clients with the right SANs, usages and short lifetimes', async () => {
    const dir = join(temp(), 'certs');
    const made = await createDevCertificates({
      dir,
      hosts: ['localhost', 'api.test', '127.0.0.1', '::1'],
      clients: ['orders'],
    });
    const now = Date.now();

    const ca = new X509Certificate(made.ca.cert);
    expect(ca.ca).toBe(true);
    expect(Date.parse(ca.validTo) - now).toBeGreaterThan(89 * DAY);
    expect(Date.parse(ca.validTo) - now).toBeLessThanOrEqual(90 * DAY);
    expect(text(made.ca.certFile)).toMatch(/CA:TRUE, pathlen:0[\s\S]*Certificate Sign, CRL Sign/);

    const server = new X509Certificate(made.server.cert);
    expect(server.ca).toBe(false);
    expect(server.subjectAltName).toBe(
      'DNS:localhost, DNS:api.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(Date.parse(server.validTo) - now).toBeGreaterThan(29 * DAY);
    expect(Date.parse(server.validTo) - now).toBeLessThanOrEqual(30 * DAY);
    expect(Date.parse(server.validFrom)).toBeLessThan(now);
    const serverText = text(made.server.certFile);
    expect(serverText).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(serverText).toMatch(/Extended Key Usage: \s*\n\s*TLS Web Server Authentication\n/);
    expect(serverText).toMatch(/CA:FALSE/);
    expect(serverText).toMatch(/ASN1 OID: prime256v1/);

    const client = made.clients[0];
    expect(client?.name).toBe('orders');
    const clientText = text(client?.certFile ?? '');
    expect(clientText).toMatch(/TLS Web Client Authentication/);
    expect(clientText).not.toMatch(/TLS Web Server Authentication/);
    expect(new X509Certificate(client?.cert ?? '').subjectAltName).toBe('DNS:orders');

    expect(mode(dir)).toBe(0o700);
    for (const key of [made.ca.keyFile, made.server.keyFile, client?.keyFile ?? ''])
      expect(mode(key)).toBe(0o600);
    expect(mode(made.server.certFile) & 0o077).toBe(0o044);
  });

  it('reuse the CA already in the directory, so a trusted CA stays trusted', async () => {
    const dir = temp();
    const first = await createDevCertificates({ dir });
    const second = await createDevCertificates({ dir, hosts: ['localhost'] });
    expect(first.ca.created).toBe(true);
    expect(second.ca.created).toBe(false);
    expect(second.ca.fingerprint256).toBe(first.ca.fingerprint256);
    expect(second.server.fingerprint256).not.toBe(first.server.fingerprint256);
  });

  it('make a new CA when the old one would expire before the new leaves', async () => {
    const dir = temp();
    await createDevCa({ dir, days: 10 });
    const made = await createDevCertificates({ dir, days: 30 });
    expect(made.ca.created).toBe(true);
  });

  it('refuse a CA key that other users can read', async () => {
    const dir = temp();
    await createDevCertificates({ dir });
    chmodSync(join(dir, 'ca.key'), 0o644);
    await expect(createDevCertificates({ dir })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      message: expect.stringMatching(/ca\.key is accessible by other users \(mode 0644\); run chmod 600/),
    });
  });

  it('issue certificates with explicit dates (an expired one, for tests), never past the CA otherwise', async () => {
    const dir = temp();
    const ca = await createDevCa({ dir, days: 5 });
    const expired = await issueDevCertificate({
      ca,
      usage: 'client',
      name: 'old',
      dir,
      notBefore: new Date(Date.now() - 60 * DAY),
      notAfter: new Date(Date.now() - 30 * DAY),
    });
    expect(expired.notAfter.getTime()).toBeLessThan(Date.now());
    const capped = await issueDevCertificate({ ca, usage: 'server', dir, days: 30 });
    expect(capped.notAfter.getTime()).toBe(ca.notAfter.getTime());
  });

  it('refuse bad names, long lifetimes and a missing openssl with clear errors', async () => {
    const dir = temp();
    const configError = (pattern: RegExp) => ({
      code: 'ERR_CONFIG',
      message: expect.stringMatching(pattern),
    });
    await expect(createDevCertificates({ dir, hosts: ['bad host'] })).rejects.toMatchObject(
      configError(/"bad host" is neither a DNS name nor an IP address/),
    );
    await expect(createDevCertificates({ dir, clients: ['a/b'] })).rejects.toMatchObject(
      configError(/DNS-style name/),
    );
    await expect(createDevCertificates({ dir, clients: ['a', 'a'] })).rejects.toMatchObject(
      configError(/appears twice/),
    );
    await expect(createDevCertificates({ dir, days: 400 })).rejects.toMatchObject(
      configError(/days must be an integer from 1 to 90/),
    );
    await expect(createDevCertificates({ dir, days: 60, caDays: 30 })).rejects.toMatchObject(
      configError(/caDays/),
    );
    await expect(createDevCertificates({ dir, openssl: '/nonexistent/openssl' })).rejects.toMatchObject(
      configError(/openssl not found/),
    );
    await expect(createDevCertificates({} as never)).rejects.toMatchObject(configError(/needs \{ dir \}/));
  });
});
