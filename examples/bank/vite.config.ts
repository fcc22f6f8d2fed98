import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const packages = here('../../packages/');

/**
 * The page: vanilla TypeScript in src/web, built into dist/web, which the
 * server serves. The @cipherlayer packages are bundled from their sources
 * (as the tests do), so the page never runs a stale build of them.
 */
export default defineConfig({
  root: here('./src/web'),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  resolve: {
    alias: [
      { find: /^@cipherlayer\/(core|client)$/, replacement: `${packages}$1/src/index.ts` },
      { find: /^@cipherlayer\/core\/(.*)$/, replacement: `${packages}core/src/$1.ts` },
      { find: /^@cipherlayer\/profiles\/(.*)$/, replacement: `${packages}profiles/src/$1.ts` },
    ],
  },
});
