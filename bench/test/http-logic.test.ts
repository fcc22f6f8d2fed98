import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BODY_SIZES,
  exchangeOf,
  floorOf,
  HTTP_SUITES,
  type HttpVariant,
  isProbe,
  KIB,
  MIB,
  plaintextOf,
  postId,
  sizeLabel,
  targetsFor,
  V,
  variantsFor,
} from '../src/http/catalogue.js';
import { accountDocument, DOCUMENT_BYTES, DOCUMENT_JSON, documentJson } from '../src/http/document.js';
import { percentile } from '../src/http/load.js';
import {
  evaluateTarget,
  firstWarmupAmount,
  MAX_AMOUNT,
  MAX_RUN_BODY_BYTES,
  maxAmountOf,
  type RunFigures,
  roundOrder,
  roundRatios,
  runProblem,
  summarise,
  type VariantOutcome,
  warmupStep,
} from '../src/http/measure-http.js';
import { HTTP_MODES, type HttpMode } from '../src/http/mode.js';
import { Rotation } from '../src/http/rotation.js';
import { floorOpen, floorSeal } from '../src/http/schemes/floor.js';
import { decrypt, encrypt } from '../src/http/schemes/seed002.js';
import { parseServerSpec } from '../src/http/server/spec.js';

// The HTTP level's pure logic; nothing here starts a server or asserts a time.

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
const variant = (
  id: string,
  scheme: HttpVariant['scheme'],
  request: 'GET' | 'POST' = 'GET',
): HttpVariant => ({
  id,
  scheme,
  request,
  quick: true,
});
const outcome = (v: HttpVariant, runs: RunFigures[], broken?: string): VariantOutcome => ({
  variant: v,
  runs,
  broken,
});

describe('the document', () => {
  it('is exactly 1 KiB once serialised, and can be padded to other sizes', () => {
    expect(Buffer.byteLength(DOCUMENT_JSON)).toBe(DOCUMENT_BYTES);
    expect(JSON.stringify(accountDocument(2048)).length).toBe(2048);
    expect(() => accountDocument(10)).toThrow(/cannot be as small/);
  });

  it('is padded to each POST body size, and parses back to the same text', () => {
    for (const bytes of BODY_SIZES) {
      const json = documentJson(bytes);
      expect(Buffer.byteLength(json)).toBe(bytes);
      expect(JSON.stringify(JSON.parse(json))).toBe(json);
    }
    expect(documentJson(DOCUMENT_BYTES)).toBe(DOCUMENT_JSON);
  });
});

describe('Rotation', () => {
  it('hands out single-use items once each, then counts overruns and repeats the last', () => {
    const r = new Rotation<number>(false);
    r.load([1, 2]);
    expect([r.take(), r.take()]).toEqual([1, 2]);
    expect(r.remaining).toBe(0);
    expect(r.take()).toBe(2);
    expect(r.overruns).toBe(1);
    r.load([3]);
    expect(r.take()).toBe(3);
    expect(r.overruns).toBe(1);
  });

  it('goes round a reusable pool without overruns', () => {
    const r = new Rotation<string>(true);
    r.load(['a', 'b']);
    expect([r.take(), r.take(), r.take(), r.take(), r.take()]).toEqual(['a', 'b', 'a', 'b', 'a']);
    expect(r.overruns).toBe(0);
    expect(r.remaining).toBe(2);
  });

  it('refuses to be empty', () => {
    expect(() => new Rotation(false).load([])).toThrow();
    expect(() => new Rotation(false).take()).toThrow();
  });
});

describe('percentile', () => {
  it('is the nearest rank of sorted values', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('rounds and warm-up', () => {
  it('alternates the order round by round', () => {
    expect(roundOrder(['A', 'B', 'C'], 0)).toEqual(['A', 'B', 'C']);
    expect(roundOrder(['A', 'B', 'C'], 1)).toEqual(['C', 'B', 'A']);
    expect(roundOrder(['A', 'B', 'C'], 2)).toEqual(['A', 'B', 'C']);
  });

  const mode: HttpMode = {
    ...HTTP_MODES.quick,
    warmupMs: 100,
    warmupRequests: 1000,
    warmupMaxMs: 500,
    roundMs: 200,
  };

  it('doubles until both the time and the request count are spent, then sizes a round from the last rate', () => {
    expect(warmupStep(mode, 100, 10, { ms: 10, requests: 100 })).toEqual({ done: false, amount: 200 });
    // Time spent but too few requests: go on.
    expect(warmupStep(mode, 400, 80, { ms: 150, requests: 700 })).toEqual({ done: false, amount: 800 });
    // 1600 requests in 160 ms: 10 per ms, so a 200 ms round is 2000 requests.
    expect(warmupStep(mode, 1600, 160, { ms: 310, requests: 2300 })).toEqual({ done: true, amount: 2000 });
  });

  it('stops a slow variant at warmupMaxMs, and never sizes a round below one request per connection', () => {
    // 100 requests in 600 ms: a 200 ms round is 33 of them.
    expect(warmupStep(mode, 100, 600, { ms: 600, requests: 100 })).toEqual({ done: true, amount: 33 });
    expect(warmupStep(mode, 10, 600, { ms: 600, requests: 10 })).toEqual({
      done: true,
      amount: mode.connections,
    });
  });

  it('caps the run size', () => {
    expect(warmupStep(mode, MAX_AMOUNT, 1, { ms: 1, requests: MAX_AMOUNT }).done).toBe(true);
    expect(warmupStep(mode, MAX_AMOUNT, 1, { ms: 1, requests: MAX_AMOUNT }).amount).toBe(MAX_AMOUNT);
  });

  it('says why a run cannot be trusted', () => {
    const ok = { requested: 10, responses: 10, non2xx: 0, errors: 0, wallMs: 1, p50Ms: 1, p99Ms: 1 };
    expect(runProblem(ok, 0)).toBeUndefined();
    expect(runProblem(ok, 2)).toMatch(/ran out of prepared messages/);
    expect(runProblem({ ...ok, non2xx: 3 }, 0)).toMatch(/3 of 10 responses were not 2xx/);
    expect(runProblem({ ...ok, errors: 1 }, 0)).toMatch(/connection error/);
    expect(runProblem({ ...ok, responses: 8 }, 0)).toMatch(/2 request\(s\) unanswered/);
  });
});

describe('summaries and targets', () => {
  const floor = variant(V.getFloor, 'floor');
  const session = variant(V.getSession, 'cl1-session');
  const seed = variant(V.getSeed002, 'seed002');
  const handshake = variant(V.handshake, 'cl1-handshake', 'POST');
  const outcomes = [
    outcome(floor, [run(1000, 50), run(800, 60), run(900, 55)]),
    outcome(session, [run(950, 55), run(700, 66), run(900, 60)]),
    outcome(seed, [run(500, 100), run(400, 120), run(450, 110)], 'round 2: 1 of 10 responses were not 2xx'),
    outcome(handshake, [run(1500, 450), run(1400, 480), run(1450, 520)]),
  ];

  it('takes ratios per round, only over the rounds both ran', () => {
    const ratio = roundRatios([run(10, 1), run(20, 1)], [run(5, 1)], (r) => r.reqPerSec);
    expect(ratio).toEqual({ median: 2, min: 2, max: 2 });
    expect(roundRatios([], [run(1, 1)], (r) => r.cpuUs)).toBeUndefined();
  });

  it('summarises each variant against the floor of its request, leaving broken ones without figures', () => {
    const [f, s, seedSummary, h] = summarise(outcomes, floorOf);
    expect(f?.reqRatio).toBeUndefined();
    expect(s?.floor).toBe(V.getFloor);
    expect(s?.reqRatio?.median).toBeCloseTo(0.95);
    expect(s?.cpuRatio?.median).toBeCloseTo(1.1);
    expect(s?.cpuUs).toEqual({ median: 60, min: 55, max: 66 });
    expect(seedSummary?.broken).toMatch(/not 2xx/);
    expect(seedSummary?.reqPerSec).toBeUndefined();
    expect(h?.floor).toBeUndefined();
  });

  it('checks ratio targets on requests/s and reports the CPU view beside them', () => {
    const result = evaluateTarget(
      { label: 't', variant: V.getSession, versus: V.getFloor, atLeast: 0.9 },
      outcomes,
    );
    expect(result.reqRatio?.median).toBeCloseTo(0.95);
    // Floor CPU over session CPU: 50/55, 60/66, 55/60.
    expect(result.cpuRatio?.median).toBeCloseTo(0.909, 2);
    expect(result.passed).toBe(true);
    expect(result.passedByCpu).toBe(true);
    const strict = evaluateTarget(
      { label: 't', variant: V.getSession, versus: V.getFloor, atLeast: 0.96 },
      outcomes,
    );
    expect(strict.passed).toBe(false);
  });

  it('fails a target whose variant is broken or missing, with the reason', () => {
    const broken = evaluateTarget(
      { label: 't', variant: V.getSession, versus: V.getSeed002, atLeast: 1.3 },
      outcomes,
    );
    expect(broken.passed).toBeUndefined();
    expect(broken.reason).toMatch(/seed 002 broken/);
    const missing = evaluateTarget({ label: 't', variant: 'nope', cpuBelowUs: 1 }, outcomes);
    expect(missing.reason).toMatch(/did not run/);
  });

  it('checks CPU targets on the median', () => {
    const result = evaluateTarget({ label: 't', variant: V.handshake, cpuBelowUs: 500 }, outcomes);
    expect(result.cpuUs?.median).toBe(480);
    expect(result.passed).toBe(true);
    expect(evaluateTarget({ label: 't', variant: V.handshake, cpuBelowUs: 480 }, outcomes).passed).toBe(
      false,
    );
  });
});

describe('the catalogue', () => {
  it('has unique variant ids, and targets that name variants of their suite', () => {
    for (const suite of HTTP_SUITES) {
      const ids = suite.variants.map((v) => v.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const t of suite.targets) {
        expect(ids).toContain(t.variant);
        if ('versus' in t) expect(ids).toContain(t.versus);
      }
    }
  });

  it('runs fewer variants in quick mode and keeps only the targets it can check', () => {
    for (const suite of HTTP_SUITES) {
      const quick = variantsFor(suite, 'quick');
      expect(quick.length).toBeLessThan(variantsFor(suite, 'full').length);
      expect(quick.map((v) => v.id)).toEqual(expect.arrayContaining([V.getFloor, V.getSession]));
      const ids = new Set(quick.map((v) => v.id));
      for (const t of targetsFor(suite, 'quick')) {
        expect(ids.has(t.variant)).toBe(true);
        if ('versus' in t) expect(ids.has(t.versus)).toBe(true);
      }
    }
    expect(targetsFor(HTTP_SUITES[0] as (typeof HTTP_SUITES)[0], 'full')).toHaveLength(6);
    // Quick mode leaves the 1 MiB target to the micro `bodies` group.
    expect(
      targetsFor(HTTP_SUITES[0] as (typeof HTTP_SUITES)[0], 'quick').map((t) => t.variant),
    ).not.toContain(postId('cl1-session', MIB));
  });

  it('compares GET variants with the GET floor, POST with the POST floor, and the handshake with nothing', () => {
    expect(floorOf(variant(V.getSession, 'cl1-session'))).toBe(V.getFloor);
    expect(floorOf(variant(V.postSession, 'cl1-session', 'POST'))).toBe(V.postFloor);
    expect(floorOf(variant(V.handshake, 'cl1-handshake', 'POST'))).toBeUndefined();
  });

  it('compares each body size with the floor and the plaintext of the same size', () => {
    const big = { ...variant(postId('cl1-stateless', 64 * KIB), 'cl1-stateless', 'POST'), bytes: 64 * KIB };
    expect(floorOf(big)).toBe('POST 64 KiB floor');
    expect(plaintextOf(big)).toBe('POST 64 KiB plaintext');
    expect(exchangeOf(big)).toBe('POST 64 KiB');
    expect(plaintextOf(variant(V.getRsaSession, 'rsa-session'))).toBe(V.getPlaintext);
    expect(exchangeOf(variant(V.rsaCreatePool, 'rsa-create-pool', 'POST'))).toBeUndefined();
    expect(isProbe(variant(V.rsaCreateNoPool, 'rsa-create-no-pool', 'POST'))).toBe(true);
    expect(isProbe(variant(V.handshake, 'cl1-handshake', 'POST'))).toBe(false);
    expect([KIB, 64 * KIB, MIB].map(sizeLabel)).toEqual(['1 KiB', '64 KiB', '1 MiB']);
  });

  it('has every body size for plaintext, floor, cl1 session and cl1 stateless, and the profiles on GET', () => {
    for (const suite of HTTP_SUITES) {
      const ids = suite.variants.map((v) => v.id);
      for (const bytes of BODY_SIZES)
        for (const scheme of ['plaintext', 'floor', 'cl1-session', 'cl1-stateless'] as const)
          expect(ids).toContain(postId(scheme, bytes));
      expect(ids).toEqual(
        expect.arrayContaining([V.getRsaSession, V.getStaticKey, V.getProfileJweP521, V.getProfileJweP256]),
      );
    }
    const fastify = (HTTP_SUITES[0] as (typeof HTTP_SUITES)[0]).variants.map((v) => v.id);
    expect(fastify).toEqual(expect.arrayContaining([V.rsaCreatePool, V.rsaCreateNoPool, V.handshake]));
  });
});

describe('run sizes', () => {
  it('starts the warm-up small for large bodies, never below one request per connection', () => {
    const mode = HTTP_MODES.quick;
    expect(firstWarmupAmount(variant(V.getFloor, 'floor'), mode)).toBe(mode.connections * 10);
    const mib = { ...variant(postId('floor', MIB), 'floor', 'POST'), bytes: MIB };
    expect(firstWarmupAmount(mib, mode)).toBe(16);
    const huge = { ...mib, bytes: 64 * MIB };
    expect(firstWarmupAmount(huge, mode)).toBe(mode.connections);
  });

  it('bounds the bytes a run prepares', () => {
    expect(maxAmountOf(variant(V.getSession, 'cl1-session'))).toBe(MAX_AMOUNT);
    const mib = { ...variant(postId('cl1-session', MIB), 'cl1-session', 'POST'), bytes: MIB };
    expect(maxAmountOf(mib)).toBe(MAX_RUN_BODY_BYTES / MIB);
    expect(maxAmountOf({ ...mib, bytes: KIB })).toBe(MAX_AMOUNT);
  });
});

describe('the schemes', () => {
  it('floor: one AES-256-GCM seal, opened by its inverse, tampering detected', () => {
    const key = createSecretKey(randomBytes(32));
    const sealed = floorSeal(key, DOCUMENT_JSON);
    expect(sealed.length).toBe(12 + DOCUMENT_BYTES + 16);
    expect(floorOpen(key, sealed).toString('utf8')).toBe(DOCUMENT_JSON);
    sealed[20] = (sealed[20] as number) ^ 1;
    expect(() => floorOpen(key, sealed)).toThrow();
    expect(() => floorOpen(key, new Uint8Array(10))).toThrow(/too short/);
  });

  it('seed 002: the server helper and the client side agree, iv ‖ tag ‖ ciphertext in base64', () => {
    const key = randomBytes(32);
    const data = encrypt({ cardLast4: '4242' }, key);
    expect(Buffer.from(data, 'base64').length).toBe(12 + 16 + JSON.stringify({ cardLast4: '4242' }).length);
    expect(decrypt(data, key)).toEqual({ cardLast4: '4242' });
  });
});

describe('parseServerSpec', () => {
  it('accepts what the parent sends and refuses anything else with a message', () => {
    expect(parseServerSpec({ framework: 'fastify', scheme: 'cl1' })).toEqual({
      framework: 'fastify',
      scheme: 'cl1',
    });
    expect(parseServerSpec({ framework: 'express', scheme: 'jwe', jwePrivateKey: 'PEM' })).toEqual({
      framework: 'express',
      scheme: 'jwe',
      jwePrivateKey: 'PEM',
    });
    expect(() => parseServerSpec(null)).toThrow(/not an object/);
    expect(() => parseServerSpec({ framework: 'koa', scheme: 'cl1' })).toThrow(/framework/);
    expect(() => parseServerSpec({ framework: 'fastify', scheme: 'rot13' })).toThrow(/scheme/);
    expect(() => parseServerSpec({ framework: 'fastify', scheme: 'jwe' })).toThrow(/jwePrivateKey/);
    expect(() => parseServerSpec({ framework: 'fastify', scheme: 'profile-jwe' })).toThrow(/jwePrivateKey/);
    expect(parseServerSpec({ framework: 'express', scheme: 'rsa-session', rsaPool: false })).toEqual({
      framework: 'express',
      scheme: 'rsa-session',
      rsaPool: false,
    });
    expect(parseServerSpec({ framework: 'fastify', scheme: 'static-key' }).scheme).toBe('static-key');
    expect(() => parseServerSpec({ framework: 'fastify', scheme: 'rsa-session', rsaPool: 'no' })).toThrow(
      /rsaPool/,
    );
  });
});
