import { stat } from 'node:fs/promises';
import { type PublishedKey, readDiscoveryKeys, runFlow, type ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { inputError } from '../../lib/cli-error.js';
import { readInput } from '../../lib/files.js';
import { importKeySet, isKeySetDocument } from './key-set-file.js';
import { readSeedKeyFile, type SeedKeyFile } from './seed-keys.js';

export type AnyKeyFile =
  | { readonly kind: 'cl1'; readonly set: ServerKeySet }
  | { readonly kind: 'discovery'; readonly keys: readonly PublishedKey[] }
  | { readonly kind: 'seed'; readonly file: SeedKeyFile };

/** Private key material must not be readable or writable by others (as ssh requires); not on Windows. */
export async function refuseOpenPrivateFile(path: string, what = 'key file'): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0)
    throw inputError(
      `${what} ${path} is accessible by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${path}`,
    );
}

/**
 * Any key file cipherlayer writes or reads: a cl1 key set, a discovery
 * document, a seed profile's PEM, JWK or hex key. Files with private
 * material must be 0600.
 */
export async function readAnyKeyFile(path: string): Promise<AnyKeyFile> {
  const text = (await readInput(path, 'key file')).toString('utf8');
  let json: unknown;
  try {
    json = text.trimStart().startsWith('{') ? JSON.parse(text) : undefined;
  } catch (error) {
    throw inputError(`key file ${path} starts like JSON but is not JSON: ${(error as Error).message}`, error);
  }
  if (isKeySetDocument(json)) {
    await refuseOpenPrivateFile(path);
    return { kind: 'cl1', set: importKeySet(json, `key file ${path}`) };
  }
  if ((json as { protocol?: unknown } | undefined)?.protocol === 'cl1') {
    try {
      return { kind: 'discovery', keys: runFlow(nodeBackend, readDiscoveryKeys(json)) };
    } catch (error) {
      throw inputError(`${path} is a cl1 discovery document with an invalid key`, error);
    }
  }
  let seed: SeedKeyFile | undefined;
  try {
    seed = readSeedKeyFile(text);
  } catch (error) {
    throw inputError(`key file ${path} cannot be read as a key: ${(error as Error).message}`, error);
  }
  if (seed === undefined)
    throw inputError(
      `${path} is not a key file cipherlayer knows: expected a cl1 key set, a discovery document, a PEM or JWK key, or a 64-digit hex key`,
    );
  if (seed.kind !== 'pem-public' && seed.kind !== 'jwk-public') await refuseOpenPrivateFile(path);
  return { kind: 'seed', file: seed };
}
