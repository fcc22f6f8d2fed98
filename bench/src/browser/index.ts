import { fileURLToPath } from 'node:url';
import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayerFastify } from '@cipherlayer/server/fastify';
import { build } from 'esbuild';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { ChartGroup } from '../chart/ratio-chart.js';
import type { Mode } from '../group.js';
import { DOCUMENT, DOCUMENT_JSON, ECHO_PATH, GET_PATH } from '../http/document.js';
import { roundOrder } from '../http/measure-http.js';
import type { Spread } from '../measure.js';
import type { Section, SectionResult } from '../section.js';
import {
  BROWSER_VARIANTS,
  type BrowserRuns,
  type BrowserSummary,
  type BrowserVariant,
  summariseBrowser,
} from './figures.js';

/**
 * `--only browser`: the browser client in headless Chromium (the Debian
 * package's, driven by playwright-core; never a downloaded browser), timed
 * in the page with performance.now(): plain fetch against
 * @cipherlayer/client (Web Crypto) in session and stateless mode, to the
 * same local Fastify server (cl1 policy `optional` on the two routes, so the
 * same route answers both), GET of the 1 KiB document and POST of it
 * echoed. Variants alternate in rounds, as everywhere in the bench.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface BrowserMode {
  readonly rounds: number;
  /** Requests per variant per round. */
  readonly requests: number;
  /** Requests per variant before the rounds (the client's discovery and handshake, the JIT). */
  readonly warmup: number;
}

export const BROWSER_MODES: Readonly<Record<Mode['name'], BrowserMode>> = {
  quick: { rounds: 3, requests: 20, warmup: 8 },
  full: { rounds: 7, requests: 150, warmup: 60 },
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/page.js"></script></head><body></body></html>`;

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.js', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output for the bench page');
  return output.text;
}

interface Counts {
  sealed: number;
  plain: number;
}

async function startServer(
  bundle: string,
  counts: Counts,
): Promise<{ app: FastifyInstance; origin: string }> {
  const keys = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
  const app = Fastify({ logger: false });
  await app.register(cipherlayerFastify, {
    cipherlayer: createCipherlayer<FastifyRequest>({ keys }),
    policy: 'optional',
  });
  const count = (request: FastifyRequest) => {
    if (request.cipherlayer === null) counts.plain++;
    else counts.sealed++;
  };
  app.get('/', { config: { cipherlayer: 'off' } }, (_request, reply) => {
    reply.type('text/html; charset=utf-8').send(PAGE);
  });
  app.get('/page.js', { config: { cipherlayer: 'off' } }, (_request, reply) => {
    reply.type('text/javascript; charset=utf-8').send(bundle);
  });
  app.get(GET_PATH, (request, reply) => {
    count(request);
    reply.send(DOCUMENT);
  });
  app.post(ECHO_PATH, (request, reply) => {
    count(request);
    reply.send(request.body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the browser bench server has no port');
  return { app, origin: `http://127.0.0.1:${address.port}` };
}

const pathOf = (v: BrowserVariant) => (v.method === 'GET' ? GET_PATH : ECHO_PATH);

async function call(page: Page, method: 'run' | 'check', args: readonly unknown[]): Promise<unknown> {
  return await page.evaluate(
    ({ method, args }) =>
      (
        globalThis as unknown as { benchPage: Record<string, (...a: unknown[]) => Promise<unknown>> }
      ).benchPage[method]?.(...args),
    { method, args },
  );
}

/** Checked once per variant: the answer is the document, and it came the way the variant says. */
async function check(page: Page, v: BrowserVariant, counts: Counts): Promise<void> {
  const before = { ...counts };
  const text = await call(page, 'check', [v.transport, v.method, pathOf(v), DOCUMENT_JSON]);
  if (text !== DOCUMENT_JSON) throw new Error(`browser ${v.id}: the answer is not the document`);
  const sealed = v.transport !== 'plaintext';
  if (counts.sealed - before.sealed !== (sealed ? 1 : 0) || counts.plain - before.plain !== (sealed ? 0 : 1))
    throw new Error(
      `browser ${v.id}: the request did not reach the route ${sealed ? 'as cl1' : 'in the clear'}`,
    );
}

async function runVariant(page: Page, v: BrowserVariant, count: number): Promise<number> {
  const ms = await call(page, 'run', [v.transport, v.method, pathOf(v), DOCUMENT_JSON, count]);
  if (typeof ms !== 'number' || !Number.isFinite(ms))
    throw new Error(`browser ${v.id}: the page answered no time`);
  return ms / count;
}

const ms = (n: number) => (n < 10 ? n.toFixed(3) : n.toFixed(1));
const range = (s: Spread | undefined, f: (n: number) => string, unit = '') =>
  s === undefined ? '—' : `${f(s.median)}${unit} [${f(s.min)}–${f(s.max)}]`;

export function renderBrowser(
  summaries: readonly BrowserSummary[],
  mode: BrowserMode,
  version: string,
): string {
  const lines = [
    '## Browser client, headless Chromium (`browser`)',
    '',
    `@cipherlayer/client (Web Crypto) in Chromium ${version} (${CHROMIUM_PATH}, headless, driven by playwright-core) against plain \`fetch\`, to the same local Fastify server (cl1 policy \`optional\`: the same routes answer both), timed in the page with \`performance.now()\` around ${mode.requests} sequential requests per variant per round, answers read and parsed; ${mode.rounds} rounds after ${mode.warmup} warm-up requests each (which include the client's discovery and, in session mode, its handshake), variants alternating. The server runs in the bench process, and its CPU is in these times for every variant alike. "× plain fetch" is this variant's time per request over plain fetch's of the same request in the same round.`,
    '',
    '| variant | requests × rounds | ms per request median [min–max] | × plain fetch (time) | added ms per request |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const s of summaries) {
    lines.push(
      `| ${s.variant.id} | ${mode.requests} × ${s.msPerRequest === undefined ? 0 : mode.rounds} | ${range(s.msPerRequest, ms)} | ${range(
        s.timeRatio,
        (n) => n.toFixed(2),
        '×',
      )} | ${range(s.addedMs, ms)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** The chart's rows: throughput ratio, encrypted ÷ plain fetch (the inverse of the time ratio). */
export function browserChartGroup(summaries: readonly BrowserSummary[]): ChartGroup {
  return {
    title:
      'Browser client in Chromium: requests per second, @cipherlayer/client ÷ plain fetch (from time per request)',
    rows: summaries
      .filter((s) => s.timeRatio !== undefined)
      .map((s) => {
        const r = s.timeRatio as Spread;
        return {
          label: `${s.variant.id} ÷ ${s.variant.method} plaintext`,
          bars: [{ median: 1 / r.median, min: 1 / r.max, max: 1 / r.min }],
        };
      }),
  };
}

export const browser: Section = {
  name: 'browser',
  title: 'Browser client, headless Chromium',
  async run(mode: Mode, progress): Promise<SectionResult> {
    const settings = BROWSER_MODES[mode.name];
    const counts: Counts = { sealed: 0, plain: 0 };
    progress('browser: bundling the page, starting the server and Chromium');
    const { app, origin } = await startServer(await bundlePage(), counts);
    let chromiumBrowser: Browser | undefined;
    try {
      chromiumBrowser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      const page = await chromiumBrowser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${origin}/`);
      await page
        .waitForFunction(() => 'benchPage' in globalThis, undefined, { timeout: 15_000 })
        .catch(() => {
          throw new Error(
            `the bench page did not load${problems.length > 0 ? `: ${problems.join('; ')}` : ''}`,
          );
        });
      for (const v of BROWSER_VARIANTS) await check(page, v, counts);
      progress('browser: warm-up');
      for (const v of BROWSER_VARIANTS) await runVariant(page, v, settings.warmup);
      const times = new Map<BrowserVariant, number[]>(BROWSER_VARIANTS.map((v) => [v, []]));
      for (let round = 0; round < settings.rounds; round++) {
        progress(`  round ${round + 1}/${settings.rounds}`);
        for (const v of roundOrder(BROWSER_VARIANTS, round))
          times.get(v)?.push(await runVariant(page, v, settings.requests));
      }
      const runs: BrowserRuns[] = BROWSER_VARIANTS.map((v) => ({
        variant: v,
        msPerRequest: times.get(v) as number[],
      }));
      const summaries = summariseBrowser(runs);
      return {
        name: this.name,
        markdown: renderBrowser(summaries, settings, chromiumBrowser.version()),
        chart: [browserChartGroup(summaries)],
        failures: [],
        figures: { runs, summaries },
      };
    } finally {
      await chromiumBrowser?.close();
      await app.close();
    }
  },
};
