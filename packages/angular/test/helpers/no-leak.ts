import { inspect } from 'node:util';
import { expect } from 'vitest';

/**
 * Everything an error shows to whoever logs it (message, string form,
 * JSON form, and the full object graph with causes) contains none of the
 * secrets: no plaintext value, no key.
 */
export function expectNoLeak(value: unknown, secrets: readonly string[]): void {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    json = '';
  }
  const seen = `${String(value)}\n${json}\n${inspect(value, { depth: 12, showHidden: true })}`;
  for (const secret of secrets) expect(seen).not.toContain(secret);
}
