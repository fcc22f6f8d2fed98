import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every way a balance or an amount (in cents) could be written out in clear. */
export function moneyForms(cents: number): string[] {
  const euros = (Math.abs(cents) / 100).toFixed(2);
  const grouped = Number(euros).toLocaleString('en-IE', { minimumFractionDigits: 2 });
  return [String(Math.abs(cents)), euros, grouped];
}

/** An account number, national id or phone with and without its spaces. */
export function spacedForms(value: string): string[] {
  return [...new Set([value, value.replace(/\s+/g, '')])];
}

/** The values of `secrets` found in `haystack` (none, when all is well). */
export function foundIn(haystack: Buffer | string, secrets: readonly string[]): string[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  return secrets.filter((secret) => bytes.includes(Buffer.from(secret)));
}

/** Every file under a folder (a PGlite data directory), for a look at the bytes at rest. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export function readAll(paths: readonly string[]): Buffer {
  return Buffer.concat(paths.map((path) => readFileSync(path)));
}
