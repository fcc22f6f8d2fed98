import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli.js';
import { HTTP_SUITES, V } from '../src/http/catalogue.js';
import type { TargetResult, VariantSummary } from '../src/http/measure-http.js';
import { HTTP_MODES } from '../src/http/mode.js';
import {
  describeVariant,
  type HttpSuiteResult,
  httpBroken,
  httpFailures,
  renderHttpSuite,
  renderHttpSummary,
} from '../src/http/report-http.js';

const suite = HTTP_SUITES[0] as (typeof HTTP_SUITES)[0];
const floorVariant = suite.variants.find((v) => v.id === V.getFloor);
const sessionVariant = suite.variants.find((v) => v.id === V.getSession);
if (floorVariant === undefined || sessionVariant === undefined) throw new Error('catalogue changed');

const spread = (median: number) => ({ median, min: median * 0.9, max: median * 1.1 });
const summary = (over: Partial<VariantSummary>): VariantSummary => ({
  id: V.getFloor,
  variant: floorVariant,
  broken: undefined,
  rounds: 3,
  requests: 12_345,
  reqPerSec: spread(10_000),
  cpuUs: spread(60),
  sysUs: spread(15),
  p50Ms: spread(0.8),
  p99Ms: spread(4),
  peakRssBytes: 80 * 2 ** 20,
  floor: undefined,
  reqRatio: undefined,
  cpuRatio: undefined,
  ...over,
});
const target = (passed: boolean | undefined): TargetResult => ({
  target: { label: 'session ≥ 0.90× floor', variant: V.getSession, versus: V.getFloor, atLeast: 0.9 },
  reqRatio: spread(0.85),
  cpuRatio: spread(0.8),
  cpuUs: undefined,
  passed,
  passedByCpu: passed === undefined ? undefined : false,
  reason: passed === undefined ? 'GET cl1 session broken: round 1: 2 of 9 responses were not 2xx' : undefined,
});
const result = (over: Partial<HttpSuiteResult> = {}): HttpSuiteResult => ({
  suite,
  mode: HTTP_MODES.quick,
  variants: [
    summary({}),
    summary({
      id: V.getSession,
      variant: sessionVariant,
      floor: V.getFloor,
      reqRatio: spread(0.85),
      cpuRatio: spread(1.25),
    }),
  ],
  targets: [target(false)],
  ...over,
});

describe('renderHttpSuite', () => {
  it('prints one row per variant with req/s, CPU per request and the ratios to the floor', () => {
    const text = renderHttpSuite(result());
    expect(text).toContain('## HTTP, Fastify 5 (`http-fastify`)');
    expect(text).toContain(
      '| GET floor | 12,345 × 3 | 10,000 [9,000–11,000] | — | 60.0 [54.0–66.0] | 15.0 | — |',
    );
    expect(text).toContain('| GET cl1 session | 12,345 × 3 | 10,000 [9,000–11,000] | 0.85× [0.77×–0.94×] |');
    expect(text).toContain('1.25× [1.13×–1.38×]');
    expect(text).toContain(
      '| session ≥ 0.90× floor | 0.85× [0.77×–0.94×] | 0.80× [0.72×–0.88×] | **FAIL** | not met |',
    );
    // Every variant is described under the table.
    expect(text).toContain(
      `- **${V.getFloor}**: the same answer sealed by one bare node:crypto AES-256-GCM call`,
    );
  });

  it('marks a broken variant and says why', () => {
    const text = renderHttpSuite(
      result({ variants: [summary({ broken: 'warm-up: 3 of 100 responses were not 2xx' })] }),
    );
    expect(text).toContain('| GET floor **BROKEN** |');
    expect(text).toContain('- **GET floor is BROKEN**: warm-up: 3 of 100 responses were not 2xx');
  });

  it('says when the suite could not run at all', () => {
    expect(renderHttpSuite(result({ error: 'server did not start' }))).toContain(
      '**Not measured:** server did not start',
    );
  });

  it('describes every scheme on both frameworks', () => {
    for (const s of HTTP_SUITES) {
      for (const v of s.variants) expect(describeVariant(v, s.framework).length).toBeGreaterThan(20);
    }
    expect(describeVariant(floorVariant, 'express')).toContain('`res.json` wrapper');
  });
});

describe('failures and summary', () => {
  it('lists missed targets, broken variants and suites that could not run', () => {
    expect(httpFailures([result()])).toEqual([
      'http-fastify: target "session ≥ 0.90× floor" not met (req/s ratio 0.85×, CPU ratio 0.80×)',
    ]);
    const broken = result({
      variants: [summary({ broken: 'round 2: stalled' })],
      targets: [target(undefined)],
    });
    expect(httpFailures([broken])).toEqual([
      'http-fastify / GET floor: broken (round 2: stalled)',
      'http-fastify: target "session ≥ 0.90× floor" not met (GET cl1 session broken: round 1: 2 of 9 responses were not 2xx)',
    ]);
    expect(httpFailures([result({ error: 'no port' })])).toEqual(['http-fastify: not measured (no port)']);
    expect(httpBroken([result()])).toBe(false);
    expect(httpBroken([broken])).toBe(true);
    expect(httpBroken([result({ error: 'no port' })])).toBe(true);
  });

  it('counts the targets met', () => {
    expect(renderHttpSummary([result({ targets: [target(true)] })])).toContain('All 1 HTTP targets met.');
    const text = renderHttpSummary([result()]);
    expect(text).toContain('1 of 1 HTTP targets NOT met.');
    expect(text).toContain('- **FAIL** http-fastify: session ≥ 0.90× floor');
  });
});

describe('parseArgs with the http alias', () => {
  const known = ['session', 'http-fastify', 'http-express'];
  const aliases = { http: ['http-fastify', 'http-express'] };

  it('expands an alias into its groups, once each', () => {
    expect(parseArgs(['--only', 'http'], known, aliases).only).toEqual(['http-fastify', 'http-express']);
    expect(parseArgs(['--only=session,http-express', '--only', 'http'], known, aliases).only).toEqual([
      'session',
      'http-express',
      'http-fastify',
    ]);
  });

  it('names the aliases among the known groups when a name is unknown', () => {
    expect(() => parseArgs(['--only', 'htp'], known, aliases)).toThrow(UsageError);
    expect(() => parseArgs(['--only', 'htp'], known, aliases)).toThrow(
      /session, http-fastify, http-express, http/,
    );
  });
});
