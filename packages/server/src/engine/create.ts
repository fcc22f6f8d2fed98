import { ServerKeySet } from '@cipherlayer/core';
import { Cipherlayer } from './cipherlayer.js';
import { configError } from './errors.js';
import { type CipherlayerOptions, checkOptions, type KeyLoader } from './options.js';

/**
 * Creates the engine, checking every option first. With a key set it
 * returns the engine; with a loader function, a promise of it (the loader
 * is kept for `reloadKeys()`).
 */
export function createCipherlayer<Request = unknown>(
  options: CipherlayerOptions<Request> & { keys: ServerKeySet },
): Cipherlayer<Request>;
export function createCipherlayer<Request = unknown>(
  options: CipherlayerOptions<Request> & { keys: KeyLoader },
): Promise<Cipherlayer<Request>>;
export function createCipherlayer<Request = unknown>(
  options: CipherlayerOptions<Request>,
): Cipherlayer<Request> | Promise<Cipherlayer<Request>>;
export function createCipherlayer<Request = unknown>(
  options: CipherlayerOptions<Request>,
): Cipherlayer<Request> | Promise<Cipherlayer<Request>> {
  checkOptions(options);
  const { keys } = options;
  if (keys instanceof ServerKeySet) return new Cipherlayer(options, keys);
  return (async () => {
    const loaded = await keys();
    if (!(loaded instanceof ServerKeySet)) throw configError('the keys loader must return a ServerKeySet');
    return new Cipherlayer(options, loaded, keys);
  })();
}
