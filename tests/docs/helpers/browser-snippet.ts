import type { Browser } from 'playwright-core';

export interface SnippetRun {
  /** The arguments of each `console.log`, as JSON values. */
  readonly logs: unknown[][];
  /** Console errors, uncaught exceptions and crashes the page reported. */
  readonly problems: string[];
}

/**
 * Runs a bundled snippet in a page whose origin is `origin`, as if the API
 * server served it: Playwright answers the page and its script itself, and
 * every other request (the snippet's) goes to `origin` over the network.
 */
export async function runInPage(browser: Browser, origin: string, bundle: string): Promise<SnippetRun> {
  const page = await browser.newPage();
  const logs: Promise<unknown[]>[] = [];
  const problems: string[] = [];
  try {
    page.on('console', (message) => {
      if (message.type() === 'log') logs.push(Promise.all(message.args().map((arg) => arg.jsonValue())));
      if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
    });
    let failed: (reason: Error) => void = () => {};
    const failure = new Promise<never>((_, reject) => {
      failed = reject;
    });
    page.on('pageerror', (error) => {
      problems.push(`pageerror: ${error.message}`);
      failed(new Error(`the snippet threw in Chromium: ${error.stack ?? error.message}`));
    });
    page.on('crash', () => failed(new Error('the page crashed')));
    const files: Record<string, { contentType: string; body: string }> = {
      '/': {
        contentType: 'text/html; charset=utf-8',
        body: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/snippet.js"></script>',
      },
      '/snippet.js': { contentType: 'text/javascript; charset=utf-8', body: bundle },
    };
    await page.route(
      (url) => url.origin === origin && url.pathname in files,
      (route) => {
        const file = files[new URL(route.request().url()).pathname]!;
        return route.fulfill({ status: 200, contentType: file.contentType, body: file.body });
      },
    );
    await page.goto(`${origin}/`);
    await Promise.race([
      page.waitForFunction(() => '__snippetDone' in globalThis, undefined, { timeout: 20_000 }),
      failure,
    ]);
    return { logs: await Promise.all(logs), problems };
  } finally {
    await page.close();
  }
}
