import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { inputError, usageError } from './cli-error.js';

function reason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return (error as Error).message;
  }
}

/** A file's bytes, or a one-line input error naming the file and why. */
export async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw inputError(`cannot read ${what} ${path}: ${reason(error)}`, error);
  }
}

/**
 * A file holding private key material: refused when other users can read or
 * write it, as ssh refuses such keys. On Windows, modes do not apply.
 */
export async function readPrivateInput(path: string, what: string): Promise<Buffer> {
  const bytes = await readInput(path, what);
  if (process.platform !== 'win32') {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0)
      throw inputError(
        `${what} ${path} is accessible by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${path}`,
      );
  }
  return bytes;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes through a temporary file made with its final mode, then renames it
 * into place: a key is never readable by others, and a reader never sees
 * half a file. An existing file is only replaced when `replace` is set.
 */
export async function writeOutput(
  path: string,
  content: string | Uint8Array,
  options: { mode: number; replace: boolean; what: string },
): Promise<void> {
  if (!options.replace && (await exists(path)))
    throw usageError(`${path} exists; pass --force to replace it (the ${options.what} in it would be lost)`);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { mode: options.mode, flag: 'wx' });
    await chmod(temporary, options.mode);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw inputError(`cannot write ${path}: ${reason(error)}`, error);
  }
}

export const PRIVATE_MODE = 0o600;
export const PUBLIC_MODE = 0o644;
