import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, modulePage, WatchedPage } from '../../../packages/core/test/helpers/chromium.js';
import { bundlePage, recordNetwork, type SeenByBrowser } from '../helpers/browser.js';
import { type Bank, startBank, Trial } from '../helpers/trial.js';
import type { BankRun } from './bank-page.js';

/**
 * The bundled client in headless Chromium (Web Crypto), in a page served by
 * a real @cipherlayer/server app (Fastify, then Express) through the wire
 * tap. The test reads every body the browser sent and received, and every
 * byte on the wire: no plaintext value is in any of them, while the page
 * got every value decrypted and the app every value it was sent.
 */
const PAGE = 'bankPage'; // bank-page.ts defines it; it runs only in the browser, so it is not imported here

let browser: Browser;
let bundle: string;
beforeAll(async () => {
  [bundle, browser] = await Promise.all([
    bundlePage(fileURLToPath(new URL('./bank-page.ts', import.meta.url))),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Chromium reports `net::ERR_ABORTED` for a fetch whose body the page read
 * to its end through a stream reader (the client's size limit reads that
 * way), as the client's browser tests measured; and it logs a console error
 * for every 4xx, the app's sealed 404 and 422 included. Those notices are
 * set aside (one of each status the page asked for); a real abort rejects
 * the page's fetch and fails the test anyway, and any other problem fails it.
 */
const EXPECTED_STATUS_NOTICES = [
  'console.error: Failed to load resource: the server responded with a status of 404 (Not Found)',
  'console.error: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
];

function assertNoProblems(page: WatchedPage): void {
  const kept = page.problems.filter((p) => !/^request failed: \S+ \(net::ERR_ABORTED\)$/.test(p));
  for (const notice of EXPECTED_STATUS_NOTICES) {
    const at = kept.indexOf(notice);
    if (at >= 0) kept.splice(at, 1);
  }
  page.problems.splice(0, page.problems.length, ...kept);
  page.assertNoProblems();
}

describe.each(['fastify', 'express'] as const)('served by %s', (adapter) => {
  let bank: Bank;
  let trial: Trial | undefined;
  let page: WatchedPage | undefined;
  beforeAll(async () => {
    bank = await startBank(adapter, {
      files: {
        '/': modulePage('/bank-page.js'),
        '/bank-page.js': { contentType: 'text/javascript; charset=utf-8', body: bundle },
      },
    });
  });
  afterEach(async () => {
    await page?.close();
    await trial?.close();
  });
  afterAll(async () => {
    await bank?.server.close();
  });

  it.each([
    ['stateless', 'binary'],
    ['stateless', 'json'],
    ['session', 'binary'],
    ['session', 'json'],
  ] as const)('%s mode, %s encoding: decrypted in the page, never on the network', async (mode, encoding) => {
    trial = await Trial.start(bank);
    page = await WatchedPage.open(browser, `${trial.tap.origin}/`, PAGE);
    const network = await recordNetwork(page.page);
    const { client: sent, server: answers } = trial;

    const result = (await page.call(PAGE, 'run', [
      mode,
      encoding,
      { to: sent.iban, memo: sent.memo },
      trial.credentials.token,
    ])) as BankRun;
    assertNoProblems(page);

    const json = expect.stringMatching(/^application\/json/);
    expect(result).toEqual({
      created: {
        status: 201,
        contentType: json,
        body: {
          received: { to: sent.iban, memo: sent.memo, amount: 125.5 },
          confirmation: answers.confirmation,
        },
      },
      balance: { status: 200, contentType: json, body: { balance: answers.balance } },
      missing: {
        status: 404,
        contentType: json,
        body: { problem: 'no such account', reference: answers.reference },
      },
      invalid: {
        status: 422,
        contentType: json,
        body: { problem: 'amount must be a number', memo: sent.memo },
      },
    });
    expect(bank.server.seen.at(-1)?.body).toEqual({ to: sent.iban, memo: sent.memo, amount: 'lots' });

    // What the browser's network layer carried: requests and responses, headers and bodies.
    const traffic: SeenByBrowser[] = await Promise.all(network);
    const api = traffic.filter((t) => new URL(t.url).pathname.startsWith('/api/'));
    expect(api.filter((t) => t.direction === 'request')).toHaveLength(4);
    expect(api.filter((t) => t.direction === 'response').map((t) => t.status)).toEqual([201, 200, 404, 422]);
    for (const t of traffic) {
      expect(t.body, `body of ${t.direction} ${t.url}`).toBeDefined();
      const wire = Buffer.concat([Buffer.from(`${t.url}\n${JSON.stringify(t.headers)}\n`), t.body!]);
      for (const value of trial.plaintext) {
        expect(wire.includes(Buffer.from(value)), `${value} in ${t.direction} ${t.url}`).toBe(false);
      }
    }
    for (const t of api.filter((a) => a.direction === 'response')) {
      expect(t.headers['content-type']).toBe(
        encoding === 'json' ? 'application/cipherlayer+json' : 'application/cipherlayer',
      );
      expect(t.body!.length).toBeGreaterThan(40);
    }
    const sessionCalls = traffic.filter(
      (t) => t.direction === 'request' && new URL(t.url).pathname === '/.well-known/cipherlayer/session',
    );
    // The handshake and the logout, in session mode only.
    expect(sessionCalls.map((t) => t.method)).toEqual(mode === 'session' ? ['POST', 'DELETE'] : []);

    // And what crossed the socket, read at the tap; and the server's logs.
    expect(trial.tap.find('DELETE', '/.well-known/cipherlayer/session')).toHaveLength(
      mode === 'session' ? 1 : 0,
    );
    trial.expectNoLeaks();
  });
});
