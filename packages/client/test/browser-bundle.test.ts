import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { bundleForBrowser } from './helpers/browser-bundle.js';

/** The client bundles for the browser with esbuild: no node:* module, no node:crypto backend, no axios Node adapter. */
const entry = (name: string) => fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url));

async function bundled(name: string) {
  const { code, metafile } = await bundleForBrowser(entry(name));
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.filter((path) => path.includes('backends/node') || path.startsWith('node:'))).toEqual([]);
  expect(code).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(["']node:/);
  expect(code).not.toContain('createCipheriv');
  return inputs;
}

it('the client bundles with the Web Crypto backend only', async () => {
  const inputs = await bundled('index');
  expect(inputs.some((path) => path.endsWith('core/src/backends/webcrypto.ts'))).toBe(true);
});

it('the axios adapter bundles with the browser build of axios', async () => {
  const inputs = await bundled('axios');
  expect(inputs.some((path) => path.includes('node_modules/axios/'))).toBe(true);
  expect(inputs.filter((path) => path.includes('axios/lib/adapters/http.js'))).toEqual([]);
});
