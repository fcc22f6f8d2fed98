import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

const CIPHERLAYER = /^@cipherlayer\/([a-z]+)(\/[a-z0-9/-]+)?$/;

/**
 * `@cipherlayer/<package>[/<entry>]` from its TypeScript sources, as
 * Vitest's aliases resolve them (a stale or missing `dist/` cannot make a
 * snippet pass or fail); every other bare import is left to Node, which
 * finds it in the workspace's node_modules.
 */
const fromSource = (platform: 'node' | 'browser'): Plugin => ({
  name: 'cipherlayer-from-source',
  setup(plugin) {
    plugin.onResolve({ filter: CIPHERLAYER }, (args) => {
      const [, name, entry] = CIPHERLAYER.exec(args.path)!;
      return { path: join(REPO, 'packages', name!, 'src', `${(entry ?? '/index').slice(1)}.ts`) };
    });
    // Dependencies are hoisted to the repository's node_modules, which the workspace links.
    if (platform === 'node')
      plugin.onResolve({ filter: /^[^./]/ }, (args) =>
        args.kind === 'entry-point' ? undefined : { path: args.path, external: true },
      );
  },
});

/**
 * Bundles a snippet saved in the workspace, as a reader's toolchain would
 * run it: for Node, an ES module beside the snippet that imports the
 * frameworks from node_modules; for the browser, one ES module where a
 * `node:*` import fails the build. `footer` runs after the snippet's
 * top-level awaits.
 */
export async function bundleSnippet(
  workspaceDir: string,
  entry: string,
  platform: 'node' | 'browser',
  footer = '',
): Promise<string> {
  const result = await build({
    absWorkingDir: workspaceDir,
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform,
    target: platform === 'node' ? 'node20' : 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [fromSource(platform)],
    ...(footer === '' ? {} : { footer: { js: footer } }),
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return output.text;
}
