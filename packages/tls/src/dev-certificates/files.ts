import { randomBytes } from 'node:crypto';
import { chmod, rename, stat, writeFile } from 'node:fs/promises';
import { configError } from '../lib/options.js';

export const PRIVATE_MODE = 0o600;
export const PUBLIC_MODE = 0o644;

/**
 * Writes through a temporary file created with its final mode, then renames:
 * a private key is never readable by others, not even for a moment, and a
 * reader never sees half a file.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  await chmod(temporary, mode); // the umask may have removed bits from `mode`; never added any
  await rename(temporary, path);
}

/** Refuses a private key file that other users can read or write (as ssh does). */
export async function checkPrivateFile(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0)
    throw configError(
      `${path} is accessible by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 ${path}`,
    );
}
