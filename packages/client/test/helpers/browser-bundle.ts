import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const coreSource = fileURLToPath(new URL('../../../core/src/', import.meta.url));

/**
 * Resolves @cipherlayer/core to its TypeScript sources, as the Vitest config
 * does, so browser bundles test the code in the tree rather than a stale build.
 */
const coreFromSource: Plugin = {
  name: 'cipherlayer-core-source',
  setup(plugin) {
    plugin.onResolve({ filter: /^@cipherlayer\/core(\/.*)?$/ }, (args) => {
      const subpath = args.path.slice('@cipherlayer/core'.length) || '/index';
      return { path: `${coreSource}${subpath.slice(1)}.ts` };
    });
  },
};

/** Bundles an entry for the browser in memory; the build fails if it reaches a node:* module. */
export async function bundleForBrowser(entryPoint: string): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [coreFromSource],
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entryPoint}`);
  return { code: output.text, metafile: result.metafile };
}
