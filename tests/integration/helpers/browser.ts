import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { Page } from 'playwright-core';

const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));

/** @cipherlayer/client and @cipherlayer/core from their TypeScript sources, as Vitest resolves them. */
const fromSource: Plugin = {
  name: 'cipherlayer-from-source',
  setup(plugin) {
    plugin.onResolve({ filter: /^@cipherlayer\/(client|core)(\/.*)?$/ }, (args) => {
      const [, name, subpath] = /^@cipherlayer\/(client|core)(\/.*)?$/.exec(args.path)!;
      return { path: `${packages}${name}/src/${(subpath ?? '/index').slice(1)}.ts` };
    });
  },
};

/** Bundles a page entry for the browser, in memory; a node:* module reached fails the build. */
export async function bundlePage(entryPoint: string): Promise<string> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [fromSource],
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entryPoint}`);
  return output.text;
}

/** One request or response body as the browser sent or received it. */
export interface SeenByBrowser {
  direction: 'request' | 'response';
  url: string;
  /** Requests only. */
  method?: string;
  status?: number;
  headers: Record<string, string>;
  /** Undefined only where CDP has none to give (a redirect). */
  body: Buffer | undefined;
}

/**
 * Records every request body (Playwright's request events) and every
 * response body the page receives. Responses are read at a CDP Fetch pause
 * at the response stage, as the client's browser tests found they must be:
 * DevTools does not reliably keep the bodies of `Cache-Control: no-store`
 * responses (every cl1 response) for `response.body()`, while a paused
 * response hands its body over every time.
 */
export async function recordNetwork(page: Page): Promise<Promise<SeenByBrowser>[]> {
  const seen: Promise<SeenByBrowser>[] = [];
  page.on('request', (request) => {
    seen.push(
      request.allHeaders().then((headers) => ({
        direction: 'request' as const,
        url: request.url(),
        method: request.method(),
        headers,
        body: request.postDataBuffer() ?? Buffer.alloc(0),
      })),
    );
  });
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Fetch.requestPaused', (event) => {
    seen.push(
      (async () => {
        const content = await cdp
          .send('Fetch.getResponseBody', { requestId: event.requestId })
          .catch(() => undefined);
        // Resumed whatever happened, or the page would hang.
        await cdp.send('Fetch.continueRequest', { requestId: event.requestId });
        return {
          direction: 'response' as const,
          url: event.request.url,
          status: event.responseStatusCode ?? 0,
          headers: Object.fromEntries(
            (event.responseHeaders ?? []).map((h) => [h.name.toLowerCase(), h.value]),
          ),
          body:
            content === undefined
              ? undefined
              : Buffer.from(content.body, content.base64Encoded ? 'base64' : 'utf8'),
        };
      })(),
    );
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Response' }] });
  return seen;
}
