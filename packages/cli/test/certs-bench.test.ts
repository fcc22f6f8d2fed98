import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/run-cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cl-cli-certs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('certs dev', () => {
  it('writes a CA, a server and client certificates, and reports them as JSON', async () => {
    const run = await runCli(
      [
        'certs',
        'dev',
        '--dir',
        'certs',
        '--host',
        'localhost',
        '--host',
        '127.0.0.1',
        '--client',
        'orders',
        '--json',
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      dir: join(dir, 'certs'),
      ca: { created: true },
      server: { subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1'] },
      clients: [{ name: 'orders' }],
    });
    expect(statSync(result.server.key).mode & 0o777).toBe(0o600);
    const server = new X509Certificate(readFileSync(result.server.cert));
    expect(server.checkIssued(new X509Certificate(readFileSync(result.ca.cert)))).toBe(true);
    const again = await runCli(['certs', 'dev', '--dir', 'certs'], { cwd: dir });
    expect(again.stdout).toMatch(/^reused the CA in /);
  });

  it('refuses a bad host name (exit 3) and a long lifetime (exit 2)', async () => {
    const host = await runCli(['certs', 'dev', '--dir', join(dir, 'x'), '--host', 'not a host'], {
      cwd: dir,
    });
    expect(host.code).toBe(3);
    expect(host.stderr).toMatch(/"not a host" is neither a DNS name nor an IP address/);
    const days = await runCli(['certs', 'dev', '--dir', join(dir, 'x'), '--days', '365'], { cwd: dir });
    expect(days.code).toBe(2);
    expect(days.stderr).toMatch(/--days must be a whole number from 1 to 90/);
  });
});

describe('bench', () => {
  it('inside the repository, runs npm run bench there (shown with --dry-run)', async () => {
    const run = await runCli(['bench', '--quick', '--dry-run', '--json'], { cwd: join(REPO, 'packages') });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ cwd: REPO, command: ['npm', 'run', 'bench', '--', '--quick'] });
  });

  it('elsewhere, says how (exit 1)', async () => {
    const run = await runCli(['bench'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /not inside a cipherlayer checkout: clone the repository, then run `npm ci && npm run bench`/,
    );
  });
});
