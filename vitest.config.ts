import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not a stale build.
    alias: [
      { find: /^@cipherlayer\/core$/, replacement: here('./packages/core/src/index.ts') },
      { find: /^@cipherlayer\/core\/(.*)$/, replacement: here('./packages/core/src/$1.ts') },
      { find: /^@cipherlayer\/client\/axios$/, replacement: here('./packages/client/src/axios.ts') },
      { find: /^@cipherlayer\/tls\/undici$/, replacement: here('./packages/tls/src/undici.ts') },
      {
        find: /^@cipherlayer\/server\/(express|fastify|hono|prometheus)$/,
        replacement: here('./packages/server/src/$1.ts'),
      },
      {
        find: /^@cipherlayer\/profiles\/(rsa-session|static-key|jwe|redis|rsa-session\/client|static-key\/browser|jwe\/client)$/,
        replacement: here('./packages/profiles/src/$1.ts'),
      },
      {
        find: /^@cipherlayer\/(server|redis|client|records|tls|profiles|angular)$/,
        replacement: here('./packages/$1/src/index.ts'),
      },
    ],
  },
  test: {
    globalSetup: ['scripts/vitest-global-setup.ts'],
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['packages/*/src/scripts/**'],
      reporter: ['text-summary', 'json-summary'],
      // The bar: a drop below it fails the run.
      thresholds: { statements: 90, branches: 80, functions: 90, lines: 90 },
      reportsDirectory: 'coverage',
    },
  },
});
