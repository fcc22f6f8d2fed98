import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The package builds on `@cipherlayer/profiles/static-key/browser` for the
 * envelope and the login-derived key. That entry point must stay free of
 * server code: bundled for the browser as an Angular app would, nothing of
 * `@cipherlayer/server`, of the profiles' server side, or of `node:*` may
 * come along.
 */
const packages = fileURLToPath(new URL('../../', import.meta.url));

/** @cipherlayer/* to the TypeScript sources, as the tests' aliases do. */
const sources: Plugin = {
  name: 'cipherlayer-sources',
  setup(bundler) {
    bundler.onResolve({ filter: /^@cipherlayer\// }, ({ path }) => {
      const [, name, subpath] = /^@cipherlayer\/([^/]+)(?:\/(.+))?$/.exec(path) ?? [];
      const file = `${packages}${name}/src/${subpath ?? 'index'}.ts`;
      return existsSync(file) ? { path: file } : { errors: [{ text: `no source for ${path}` }] };
    });
  },
};

describe('the browser bundle', () => {
  it('holds the profiles’ browser crypto and nothing of the server or of node:*', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['@angular/*', 'rxjs'],
      plugins: [sources],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.includes('profiles/src/static-key/login-key.ts'))).toBe(true);
    expect(inputs.some((file) => file.includes('profiles/src/static-key/web-envelope.ts'))).toBe(true);
    for (const file of inputs) {
      expect(file).not.toMatch(/packages\/server\//);
      expect(file).not.toMatch(
        /profiles\/src\/(jwe|rsa-session|stores|lib\/aes-gcm|static-key\/(profile|sessions))/,
      );
      expect(file).not.toMatch(/^node:/);
    }
    const imports = Object.values(result.metafile.outputs).flatMap((output) =>
      output.imports.map((i) => i.path),
    );
    expect(imports.filter((path) => !path.startsWith('@angular/') && path !== 'rxjs')).toEqual([]);
  });
});
