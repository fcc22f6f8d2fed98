import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared vectors live beside the repository (../shared/vectors), never
 * inside it. A missing folder fails the run: vectors are never skipped.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const sharedDir = process.env.CIPHERLAYER_SHARED ?? resolve(repoRoot, '../shared');

export function sharedPath(...parts: string[]): string {
  const path = join(sharedDir, ...parts);
  if (!existsSync(path)) throw new Error(`shared vector file missing: ${path} (set CIPHERLAYER_SHARED)`);
  return path;
}

export function readShared(...parts: string[]): string {
  return readFileSync(sharedPath(...parts), 'utf8');
}

export function readSharedJson<T>(...parts: string[]): T {
  return JSON.parse(readShared(...parts)) as T;
}

export { repoRoot };
