import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK } from './helpers/run-cli.js';

let dir: string;
let good: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cl-cli-badkeys-'));
  good = join(dir, 'good.json');
  expect((await runCli(['keys', 'generate', '--out', good])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

describe('bad key files end with exit 3 and one clear line, never a stack trace', () => {
  it.each([
    ['a missing file', () => join(dir, 'absent.json'), /cannot read key file .*absent\.json: no such file/],
    [
      'a directory',
      () => {
        mkdirSync(join(dir, 'folder'), { recursive: true });
        return join(dir, 'folder');
      },
      /it is a directory/,
    ],
    [
      'text that is not JSON',
      () => file('text.json', '{"keys": [', 0o600),
      /starts like JSON but is not JSON/,
    ],
    [
      'JSON of the wrong shape',
      () => file('shape.json', '{"keys":[{"kty":"OKP"}]}'),
      /not a key file cipherlayer knows/,
    ],
    [
      'a key whose public part does not match',
      () => {
        const doc = JSON.parse(readFileSync(good, 'utf8'));
        doc.keys[0].x = `A${doc.keys[0].x.slice(1)}`;
        return file('tampered.json', JSON.stringify(doc));
      },
      /invalid key material: public key of kid 1 does not match its private key/,
    ],
    [
      'a key file readable by others',
      () => file('open.json', readFileSync(good, 'utf8'), 0o644),
      /mode 0644\); run: chmod 600/,
    ],
    [
      'an unsupported suite',
      () => {
        const doc = JSON.parse(readFileSync(good, 'utf8'));
        doc.keys[0].hpke.kem = 0x99;
        return file('suite.json', JSON.stringify(doc));
      },
      /algorithm suite not allowed/,
    ],
  ])('keys list: %s', async (_name, make, message) => {
    const run = await runCli(['keys', 'list', make()]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('keys rotate and inspect --key refuse the same files the same way', async () => {
    const open = file('open2.json', readFileSync(good, 'utf8'), 0o640);
    const rotate = await runCli(['keys', 'rotate', open]);
    expect(rotate).toMatchObject({ code: 3 });
    expect(rotate.stderr).toMatch(/mode 0640/);
    const notJson = file('plain.txt', 'hello');
    const rotate2 = await runCli(['keys', 'rotate', notJson]);
    expect(rotate2.code).toBe(3);
    expect(rotate2.stderr).toMatch(/is not JSON/);
  });

  it('refuses to pin a symmetric key', async () => {
    const hex = file('aes.hex', `${'ab'.repeat(32)}\n`);
    const run = await runCli(['keys', 'pin', hex]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('symmetric key: it has no public key to pin');
  });
});
