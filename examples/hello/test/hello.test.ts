import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('the hello example', () => {
  it('runs end to end and keeps plaintext off the wire', async () => {
    expect(existsSync(main), 'run `npm run build` first').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 20_000 });
    const lines = stdout.split('\n');
    const wire = lines.filter((l) => l.includes('on the wire'));
    const seen = lines.filter((l) => l.includes('app sees') || l.includes('app gets'));
    expect(wire.length).toBeGreaterThanOrEqual(6);
    for (const secret of ['FR76 3000', 'GB33 BUKB', 'transferId', '125.5']) {
      expect(seen.some((l) => l.includes(secret))).toBe(true);
      expect(wire.some((l) => l.includes(secret))).toBe(false);
    }
    expect(stdout).toMatch(/replay: HTTP 409 .*ERR_REPLAY/);
    expect(stdout).toMatch(/plaintext: HTTP 415 .*ERR_PLAINTEXT_REJECTED/);
  });
});
