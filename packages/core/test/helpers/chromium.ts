import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Browser tests run in the Chromium of the Debian package, driven by
 * playwright-core. A browser is never downloaded, and a missing one fails
 * the run: browser suites are never skipped.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // The machines have no network: background fetches would only stall and log errors.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install the Debian package "chromium" ` +
        '(apt-get install chromium). Browser tests never download a browser.',
    );
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Bundles a TypeScript entry point for the browser, in memory. The entry must
 * not reach node:* modules (node.ts backend, test helpers that read files);
 * esbuild fails the build if it does.
 */
export async function bundleForBrowser(entryPoint: string): Promise<string> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entryPoint}`);
  return output.text;
}

export interface StaticFile {
  contentType: string;
  body: string;
}

export interface StaticServer {
  /** Origin with a trailing slash, e.g. `http://127.0.0.1:40123/`: a secure context, so Web Crypto exists. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves fixed files from 127.0.0.1 on a random port; anything else is a 404. */
export async function serveStatic(files: Readonly<Record<string, StaticFile>>): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' });
    response.end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An HTML page that loads one ES module; the empty icon keeps a favicon 404 out of the console. */
export function modulePage(scriptPath: string): StaticFile {
  return {
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="${scriptPath}"></script></head><body></body></html>`,
  };
}

/**
 * A page whose console errors, uncaught exceptions, failed requests and
 * crashes are recorded, so a test can fail with what the browser said.
 */
export class WatchedPage {
  readonly problems: string[] = [];

  private constructor(readonly page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.stack ?? error.message}`));
    page.on('requestfailed', (request) =>
      this.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
    );
    page.on('crash', () => this.problems.push('page crashed'));
  }

  /** Opens `url` and waits until the page has defined `globalThis[readyGlobal]`. */
  static async open(browser: Browser, url: string, readyGlobal: string): Promise<WatchedPage> {
    const watched = new WatchedPage(await browser.newPage());
    try {
      await watched.page.goto(url);
      await watched.page.waitForFunction((name) => name in globalThis, readyGlobal, { timeout: 15_000 });
    } catch (cause) {
      throw watched.failure(`page ${url} did not define ${readyGlobal}`, cause);
    }
    return watched;
  }

  /**
   * Calls `globalThis[api][method](...args)` in the page. Arguments and result
   * cross as JSON; a rejection in the page becomes an error here that also
   * lists the browser's recorded problems.
   */
  async call(api: string, method: string, args: readonly unknown[]): Promise<unknown> {
    try {
      return await this.page.evaluate(
        ({ api, method, args }) => {
          const target = (
            globalThis as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>
          )[api];
          const fn = target?.[method];
          if (typeof fn !== 'function') throw new Error(`${api}.${method} is not a function in the page`);
          return fn(...args);
        },
        { api, method, args },
      );
    } catch (cause) {
      throw this.failure(`${api}.${method} failed in Chromium`, cause);
    }
  }

  /** Throws if the browser reported anything; call it after each test. */
  assertNoProblems(): void {
    if (this.problems.length > 0) {
      const problems = this.problems.splice(0);
      throw new Error(`Chromium reported ${problems.length} problem(s):\n${problems.join('\n')}`);
    }
  }

  failure(what: string, cause: unknown): Error {
    const message = cause instanceof Error ? cause.message : String(cause);
    const problems = this.problems.length > 0 ? `\nbrowser problems:\n${this.problems.join('\n')}` : '';
    return new Error(`${what}: ${message}${problems}`, { cause });
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
