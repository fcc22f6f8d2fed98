import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-cli-rotate-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const DAY = 86_400_000;

describe('keys rotate', () => {
  it('adds the next id, keeps the old key, optionally ends its life, and drops expired keys', async () => {
    const dir = temp();
    const file = join(dir, 'keys.json');
    const yesterday = new Date(Date.now() - DAY).toISOString();
    const soon = new Date(Date.now() + 60_000).toISOString();
    expect(
      (
        await runCli([
          'keys',
          'generate',
          '--out',
          file,
          '--kid',
          '4',
          '--not-before',
          yesterday,
          '--not-after',
          soon,
        ])
      ).code,
    ).toBe(0);

    const first = await runCli(['keys', 'rotate', file, '--json']);
    expect(first.code).toBe(0);
    const rotated = JSON.parse(first.stdout);
    expect(rotated.added).toMatchObject({ kid: 5, current: true });
    expect(rotated.keys.map((k: { kid: number }) => k.kid)).toEqual([4, 5]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await runCli([
      'keys',
      'rotate',
      file,
      '--suite',
      'p256',
      '--retire-old-in',
      '7',
      '--json',
    ]);
    const again = JSON.parse(second.stdout);
    expect(again.added).toMatchObject({ kid: 6, suite: 'P-256' });
    const five = again.keys.find((k: { kid: number }) => k.kid === 5);
    expect(Date.parse(five.notAfter) - Date.now()).toBeLessThanOrEqual(7 * DAY);
    expect(Date.parse(five.notAfter) - Date.now()).toBeGreaterThan(7 * DAY - 60_000);
    // Key 4 keeps its own, earlier end.
    expect(again.keys.find((k: { kid: number }) => k.kid === 4).notAfter).toBe(soon);
    expect(JSON.parse(readFileSync(file, 'utf8')).keys).toHaveLength(3);
  });

  it('refuses to end old keys now: clients still hold the old discovery document', async () => {
    const file = join(temp(), 'keys.json');
    await runCli(['keys', 'generate', '--out', file]);
    const run = await runCli(['keys', 'rotate', file, '--retire-old-in', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('old keys must stay valid for a while');
  });

  it('removes keys that already expired', async () => {
    const file = join(temp(), 'keys.json');
    const before = new Date(Date.now() - 3 * DAY).toISOString();
    const after = new Date(Date.now() + 2000).toISOString();
    await runCli(['keys', 'generate', '--out', file, '--not-before', before, '--not-after', after]);
    await new Promise((done) => setTimeout(done, 2100));
    const run = await runCli(['keys', 'rotate', file, '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ removed: [1], keys: [{ kid: 2 }] });
  });
});

describe('keys pin', () => {
  it('prints one pin per published key, the same pins as the discovery document', async () => {
    const dir = temp();
    const file = join(dir, 'keys.json');
    await runCli(['keys', 'generate', '--out', file, '--public-out', join(dir, 'discovery.json')]);
    await runCli(['keys', 'rotate', file]);
    const pins = await runCli(['keys', 'pin', file]);
    expect(pins.code).toBe(0);
    const lines = pins.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
    const discovery = JSON.parse(readFileSync(join(dir, 'discovery.json'), 'utf8'));
    expect(lines).toContain(discovery.keys[0].pin);
    const fromDiscovery = await runCli(['keys', 'pin', join(dir, 'discovery.json'), '--json']);
    expect(JSON.parse(fromDiscovery.stdout)).toEqual({
      file: join(dir, 'discovery.json'),
      pins: [{ kid: 1, pin: discovery.keys[0].pin }],
    });
  });

  it('pins a seed profile public key (SPKI), as openssl computes it', async () => {
    const dir = temp();
    await runCli([
      'keys',
      'generate',
      '--profile',
      'jwe',
      '--out',
      join(dir, 'jwe.key'),
      '--public-out',
      join(dir, 'jwe.pub'),
    ]);
    const { execFileSync } = await import('node:child_process');
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', join(dir, 'jwe.pub'), '-outform', 'der']);
    const expected = `sha256/${(await import('node:crypto')).createHash('sha256').update(der).digest('base64')}`;
    expect((await runCli(['keys', 'pin', join(dir, 'jwe.pub')])).stdout.trim()).toBe(expected);
    expect((await runCli(['keys', 'pin', join(dir, 'jwe.key')])).stdout.trim()).toBe(expected);
  });
});
