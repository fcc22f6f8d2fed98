import { describe, expect, it } from 'vitest';
import { BROWSER_VARIANTS, type BrowserRuns, summariseBrowser } from '../src/browser/figures.js';
import { browserChartGroup, renderBrowser } from '../src/browser/index.js';
import { HTTP_SUITES, type HttpVariant, MIB, postId, V } from '../src/http/catalogue.js';
import type { RunFigures, VariantOutcome } from '../src/http/measure-http.js';
import { HTTP_MODES } from '../src/http/mode.js';
import { ratioRows, rowLabel } from '../src/http/ratios.js';
import type { HttpSuiteResult } from '../src/http/report-http.js';
import { ratioChartGroups, renderRatios } from '../src/http/report-ratios.js';

// The ratio table's maths and rendering, and the browser figures; no server, no browser, no clock.

const run = (reqPerSec: number, cpuUs: number): RunFigures => ({
  requests: 1000,
  reqPerSec,
  cpuUs,
  sysUs: cpuUs / 4,
  p50Ms: 1,
  p99Ms: 2,
  rssBytes: 50 * 2 ** 20,
  peakRssBytes: 60 * 2 ** 20,
});
const v = (id: string, scheme: HttpVariant['scheme'], request: 'GET' | 'POST' = 'GET', bytes?: number) => ({
  id,
  scheme,
  request,
  quick: true,
  ...(bytes === undefined ? {} : { bytes }),
});
const outcome = (variant: HttpVariant, runs: RunFigures[], broken?: string): VariantOutcome => ({
  variant,
  runs,
  broken,
});

const outcomes = [
  outcome(v(V.getPlaintext, 'plaintext'), [run(10_000, 50), run(8_000, 60)]),
  outcome(v(V.getFloor, 'floor'), [run(8_000, 62.5), run(6_000, 80)]),
  outcome(v(V.getSession, 'cl1-session'), [run(7_000, 70), run(6_000, 75)]),
  outcome(v(V.getJweP521, 'jwe-p521'), [run(100, 7000), run(120, 6000)]),
  outcome(v(V.getSeed002, 'seed002'), [run(1, 1)], 'round 1: 3 responses were not 2xx'),
  outcome(v(postId('plaintext', MIB), 'plaintext', 'POST', MIB), [run(100, 10_000), run(90, 11_000)]),
  outcome(v(postId('cl1-session', MIB), 'cl1-session', 'POST', MIB), [run(80, 12_500), run(72, 13_750)]),
  outcome(v(V.rsaCreatePool, 'rsa-create-pool', 'POST'), [run(200, 300_000), run(100, 300_000)]),
  outcome(v(V.rsaCreateNoPool, 'rsa-create-no-pool', 'POST'), [run(5, 250_000), run(4, 250_000)]),
  outcome(v(V.handshake, 'cl1-handshake', 'POST'), [run(2000, 500), run(2000, 500)]),
];

describe('ratioRows', () => {
  const rows = ratioRows(outcomes);
  const find = (variant: string, versus: string) =>
    rows.find((r) => r.variant === variant && r.versus === versus);

  it('divides each encrypted variant by the plaintext of the same request, per round', () => {
    const floor = find(V.getFloor, V.getPlaintext);
    expect(floor?.kind).toBe('vs plaintext');
    expect(floor?.exchange).toBe('GET 1 KiB');
    // req/s: 8000/10000, 6000/8000; CPU: 50/62.5, 60/80.
    expect(floor?.reqRatio).toEqual({ median: 0.775, min: 0.75, max: 0.8 });
    expect(floor?.cpuRatio).toEqual({ median: 0.775, min: 0.75, max: 0.8 });
    const mib = find(postId('cl1-session', MIB), postId('plaintext', MIB));
    expect(mib?.exchange).toBe('POST 1 MiB');
    expect(mib?.reqRatio?.median).toBeCloseTo(0.8);
  });

  it('divides each cl1 variant by every other encrypted variant of the same request, never by plaintext', () => {
    const vsJwe = find(V.getSession, V.getJweP521);
    expect(vsJwe?.kind).toBe('cl1 vs other');
    expect(vsJwe?.reqRatio?.median).toBeCloseTo((70 + 50) / 2);
    expect(vsJwe?.cpuRatio?.median).toBeCloseTo((100 + 80) / 2);
    expect(find(V.getSession, V.getFloor)?.kind).toBe('cl1 vs other');
    expect(rows.filter((r) => r.kind === 'cl1 vs other' && r.versus === V.getPlaintext)).toEqual([]);
    // Different requests are never compared.
    expect(rows.some((r) => r.variant === postId('cl1-session', MIB) && r.versus === V.getFloor)).toBe(false);
  });

  it('leaves broken variants out', () => {
    expect(rows.some((r) => r.variant === V.getSeed002 || r.versus === V.getSeed002)).toBe(false);
  });

  it('compares the session creations: pool ÷ no pool both ways, the handshake by CPU only', () => {
    const pool = find(V.rsaCreatePool, V.rsaCreateNoPool);
    expect(pool?.kind).toBe('session creation');
    expect(pool?.reqRatio).toEqual({ median: 32.5, min: 25, max: 40 });
    expect(pool?.cpuRatio?.median).toBeCloseTo(250 / 300);
    const handshake = find(V.handshake, V.rsaCreateNoPool);
    expect(handshake?.reqRatio).toBeUndefined();
    expect(handshake?.cpuRatio?.median).toBe(500);
    expect(rowLabel(handshake as NonNullable<typeof handshake>)).toBe(
      `${V.handshake} ÷ ${V.rsaCreateNoPool}`,
    );
  });
});

describe('the ratio report', () => {
  const suite = HTTP_SUITES[0] as (typeof HTTP_SUITES)[0];
  const result: HttpSuiteResult = {
    suite,
    mode: HTTP_MODES.quick,
    variants: [],
    targets: [],
    ratios: ratioRows(outcomes),
  };

  it('prints one table per kind with both ratios, median and range', () => {
    const text = renderRatios([result]);
    expect(text).toContain('### HTTP, Fastify 5: each variant ÷ plaintext');
    expect(text).toContain(
      '| GET 1 KiB | GET floor ÷ GET plaintext | 0.78× [0.75–0.80] | 0.78× [0.75–0.80] |',
    );
    expect(text).toContain(
      `| GET 1 KiB | ${V.getSession} ÷ ${V.getJweP521} | 60.0× [50.0–70.0] | 90.0× [80.0–100.0] |`,
    );
    expect(text).toContain('### HTTP, Fastify 5: session creation');
  });

  it('says so when nothing could be compared', () => {
    expect(renderRatios([{ ...result, ratios: [] }])).toContain('No ratios');
  });

  it('gives the chart the same figures, grouped by suite and kind', () => {
    const groups = ratioChartGroups([result]);
    expect(groups.map((g) => g.title.split(':')[1]?.trim().split(' ')[0])).toEqual([
      'each',
      'cl1',
      'session',
    ]);
    const first = groups[0]?.rows[0];
    expect(first?.bars).toEqual([
      { median: 0.775, min: 0.75, max: 0.8 },
      { median: 0.775, min: 0.75, max: 0.8 },
    ]);
  });
});

describe('the browser figures', () => {
  const byId = (id: string) => BROWSER_VARIANTS.find((b) => b.id === id) as (typeof BROWSER_VARIANTS)[number];
  const runs: BrowserRuns[] = [
    { variant: byId('GET plaintext'), msPerRequest: [1, 2, 1] },
    { variant: byId('GET cl1 session'), msPerRequest: [1.5, 2.5, 2] },
    { variant: byId('POST plaintext'), msPerRequest: [2, 2, 2] },
    { variant: byId('POST cl1 stateless'), msPerRequest: [6, 8] },
  ];

  it('divides each client variant by plain fetch of the same method, round by round', () => {
    const [plain, session, postPlain, stateless] = summariseBrowser(runs);
    expect(plain?.timeRatio).toBeUndefined();
    expect(session?.timeRatio).toEqual({ median: 1.5, min: 1.25, max: 2 });
    expect(session?.addedMs).toEqual({ median: 0.5, min: 0.5, max: 1 });
    expect(postPlain?.msPerRequest.median).toBe(2);
    // Only the rounds both ran.
    expect(stateless?.timeRatio).toEqual({ median: 3.5, min: 3, max: 4 });
  });

  it('lists GET and POST, plain and both client modes', () => {
    expect(BROWSER_VARIANTS.map((b) => b.id)).toEqual([
      'GET plaintext',
      'GET cl1 session',
      'GET cl1 stateless',
      'POST plaintext',
      'POST cl1 session',
      'POST cl1 stateless',
    ]);
  });

  it('renders the table and charts the inverse of the time ratio', () => {
    const summaries = summariseBrowser(runs);
    const text = renderBrowser(summaries, { rounds: 3, requests: 30, warmup: 10 }, '150.0');
    expect(text).toContain(
      '| GET cl1 session | 30 × 3 | 2.000 [1.500–2.500] | 1.50× [1.25–2.00] | 0.500 [0.500–1.000] |',
    );
    const group = browserChartGroup(summaries);
    expect(group.rows.map((r) => r.label)).toEqual([
      'GET cl1 session ÷ GET plaintext',
      'POST cl1 stateless ÷ POST plaintext',
    ]);
    expect(group.rows[0]?.bars[0]).toEqual({ median: 1 / 1.5, min: 1 / 2, max: 1 / 1.25 });
  });
});
