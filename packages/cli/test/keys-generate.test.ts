import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importServerKeySet, runFlow } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-cli-keys-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const mode = (file: string) => statSync(file).mode & 0o777;

describe('keys generate', () => {
  it('writes a cl1 key set 0600 that core imports, and reports public facts only', async () => {
    const dir = temp();
    const file = join(dir, 'keys.json');
    const run = await runCli([
      'keys',
      'generate',
      '--out',
      file,
      '--suite',
      'p256',
      '--kid',
      '9',
      '--valid-days',
      '30',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(mode(file)).toBe(0o600);
    const set = runFlow(nodeBackend, importServerKeySet(JSON.parse(readFileSync(file, 'utf8'))));
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ keyId: 9 });
    expect(set.keys[0]?.suite.kem.curve).toBe('P-256');
    const lifetime = (set.keys[0]?.notAfter ?? 0) - (set.keys[0]?.notBefore ?? 0);
    expect(lifetime).toBe(30 * 86_400_000);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      file,
      profile: 'cl1',
      keys: [{ kid: 9, suite: 'P-256', current: true, state: 'valid' }],
    });
    expect(result.keys[0].pin).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
    expect(run.stdout).not.toContain('"d"');
  });

  it('never replaces a key file without --force', async () => {
    const file = join(temp(), 'keys.json');
    writeFileSync(file, 'precious', { mode: 0o600 });
    const refused = await runCli(['keys', 'generate', '--out', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists; pass --force to replace it');
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect((await runCli(['keys', 'generate', '--out', file, '--force'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('"hpke"');
  });

  it('prints the key on stdout with --out -, and the summary on stderr', async () => {
    const run = await runCli(['keys', 'generate', '--out', '-']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).keys[0].d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(run.stderr).toContain('wrote cl1 private key to stdout');
    expect((await runCli(['keys', 'generate', '--out', '-', '--json'])).code).toBe(2);
  });

  it('writes a key with a public discovery document beside it', async () => {
    const dir = temp();
    const run = await runCli([
      'keys',
      'generate',
      '--out',
      join(dir, 'k.json'),
      '--public-out',
      join(dir, 'discovery.json'),
    ]);
    expect(run.code).toBe(0);
    const discovery = JSON.parse(readFileSync(join(dir, 'discovery.json'), 'utf8'));
    expect(discovery).toMatchObject({ protocol: 'cl1', keys: [{ kid: '1' }] });
    expect(discovery.keys[0].d).toBeUndefined();
    expect(mode(join(dir, 'discovery.json'))).toBe(0o644);
  });

  it('makes the rsa-session key pair as PKCS#8 and SPKI PEM (RSA-2048)', async () => {
    const dir = temp();
    const run = await runCli([
      'keys',
      'generate',
      '--profile',
      'rsa-session',
      '--out',
      join(dir, 'rsa.key'),
      '--public-out',
      join(dir, 'rsa.pub'),
    ]);
    expect(run.code).toBe(0);
    const privatePem = readFileSync(join(dir, 'rsa.key'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPrivateKey(privatePem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(readFileSync(join(dir, 'rsa.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(mode(join(dir, 'rsa.key'))).toBe(0o600);
  });

  it('makes the jwe key on P-521 as PEM, or on P-256 as JWK with a kid', async () => {
    const dir = temp();
    expect(
      (await runCli(['keys', 'generate', '--profile', 'jwe', '--out', join(dir, 'p521.pem')])).code,
    ).toBe(0);
    expect(createPrivateKey(readFileSync(join(dir, 'p521.pem'))).asymmetricKeyDetails?.namedCurve).toBe(
      'secp521r1',
    );
    const run = await runCli([
      'keys',
      'generate',
      '--profile',
      'jwe',
      '--curve',
      'P-256',
      '--format',
      'jwk',
      '--kid',
      'enc-1',
      '--out',
      join(dir, 'p256.json'),
      '--json',
    ]);
    const jwk = JSON.parse(readFileSync(join(dir, 'p256.json'), 'utf8'));
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'enc-1', alg: 'ECDH-ES', use: 'enc' });
    expect(typeof jwk.d).toBe('string');
    const result = JSON.parse(run.stdout);
    expect(JSON.parse(result.publicKey).d).toBeUndefined();
    expect(createPublicKey({ key: JSON.parse(result.publicKey), format: 'jwk' }).asymmetricKeyType).toBe(
      'ec',
    );
  });

  it('makes the static-key as 64 hex digits, and refuses cl1 options for it', async () => {
    const dir = temp();
    expect(
      (await runCli(['keys', 'generate', '--profile', 'static-key', '--out', join(dir, 'aes.hex')])).code,
    ).toBe(0);
    expect(readFileSync(join(dir, 'aes.hex'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const refused = await runCli([
      'keys',
      'generate',
      '--profile',
      'static-key',
      '--out',
      join(dir, 'b.hex'),
      '--kid',
      '1',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--kid is for cl1 keys');
  });
});
