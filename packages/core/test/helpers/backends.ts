import { nodeBackend } from '../../src/backends/node.js';
import { webCryptoBackend } from '../../src/backends/webcrypto.js';
import type { CryptoBackend } from '../../src/lib/backend.js';
import { type Flow, runFlow } from '../../src/lib/flow.js';

/** Both backends, for `describe.each`: every vector suite runs on each. */
export const backends: readonly [string, CryptoBackend][] = [
  ['node:crypto', nodeBackend],
  ['webcrypto', webCryptoBackend],
];

export async function run<T>(backend: CryptoBackend, flow: Flow<T>): Promise<T> {
  return await runFlow(backend, flow);
}

/**
 * Runs `fn` as a promise. With the synchronous backend a failure is a
 * synchronous throw; this lets one `rejects` assertion cover both backends.
 */
export function attempt<T>(fn: () => T | Promise<T>): Promise<T> {
  return Promise.resolve().then(fn);
}
