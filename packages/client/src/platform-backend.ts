import type { CryptoBackend } from '@cipherlayer/core';
import { webCryptoBackend } from '@cipherlayer/core/webcrypto';

/*
 * The specifier is a variable on purpose: bundlers (esbuild, webpack, Vite)
 * leave `import(variable)` alone, so a browser bundle never contains the
 * node:crypto backend, and Node loads it only when it runs here.
 */
const NODE_BACKEND: string = '@cipherlayer/core/node';

function runsOnNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node === 'string';
}

/**
 * node:crypto in Node (about ten times cheaper per AES-GCM call than Web
 * Crypto there), Web Crypto everywhere else; Web Crypto's session keys are
 * non-extractable CryptoKeys. A Node build that cannot load the node backend
 * (a single-file bundle without node_modules) gets Web Crypto, which Node 20
 * also has: slower, same bytes.
 */
export async function platformBackend(): Promise<CryptoBackend> {
  if (!runsOnNode()) return webCryptoBackend;
  try {
    const node = (await import(
      /* @vite-ignore */ /* webpackIgnore: true */ NODE_BACKEND
    )) as typeof import('@cipherlayer/core/node');
    return node.nodeBackend;
  } catch {
    return webCryptoBackend;
  }
}
