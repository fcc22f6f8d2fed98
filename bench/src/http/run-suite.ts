import { createSecretKey, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  floorOf,
  type HttpSuite,
  type HttpVariant,
  KIB,
  targetsFor,
  type VariantScheme,
  variantsFor,
} from './catalogue.js';
import { cl1HandshakeSource, cl1SessionSource, cl1StatelessSource } from './cl1-sources.js';
import {
  type Contestant,
  evaluateTarget,
  measureContestants,
  type Progress,
  summarise,
} from './measure-http.js';
import { HTTP_MODES } from './mode.js';
import { rsaCreation, rsaSessionGet, staticKeyGet } from './profile-sources.js';
import { ratioRows } from './ratios.js';
import type { HttpSuiteResult } from './report-http.js';
import { generateJweKeys, type JweKeyPair } from './schemes/jwe.js';
import { PROFILE_JWE_HEADER, type ServerScheme, type ServerSpec } from './server/spec.js';
import { ServerProcess } from './server-process.js';
import type { RequestSource } from './source.js';
import { floorGet, floorPost, jweGet, plaintextGet, plaintextPost, seed002Get } from './static-sources.js';

/**
 * Runs one HTTP suite: starts a server child per variant, builds each
 * variant's requests and checks once that its server does what the variant
 * claims, measures, and stops the children whatever happens.
 *
 * Set CIPHERLAYER_BENCH_CPU_PROF to a directory to run every server child
 * with `node --cpu-prof` there (one .cpuprofile per variant, written when
 * the suite ends); profiling slows the servers, so those figures are not
 * comparable with a normal run.
 */

const PROFILE_DIR_ENV = 'CIPHERLAYER_BENCH_CPU_PROF';

interface Secrets {
  /** Floor and seed 002: one AES-256 key, handed to the servers as AES_KEY (hex). */
  readonly aesKey: Buffer;
  readonly jwe: { readonly 'P-521': JweKeyPair; readonly 'P-256': JweKeyPair };
}

function serverScheme(scheme: VariantScheme): ServerScheme {
  if (scheme.startsWith('cl1-')) return 'cl1';
  if (scheme.startsWith('jwe-')) return 'jwe';
  if (scheme.startsWith('profile-jwe-')) return 'profile-jwe';
  if (scheme.startsWith('rsa-')) return 'rsa-session';
  return scheme as ServerScheme;
}

function jweKeys(secrets: Secrets, scheme: VariantScheme): JweKeyPair {
  return scheme.endsWith('p521') ? secrets.jwe['P-521'] : secrets.jwe['P-256'];
}

function serverSpec(suite: HttpSuite, variant: HttpVariant, secrets: Secrets): ServerSpec {
  const scheme = serverScheme(variant.scheme);
  return {
    framework: suite.framework,
    scheme,
    ...(scheme === 'jwe' || scheme === 'profile-jwe'
      ? { jwePrivateKey: jweKeys(secrets, variant.scheme).privateKey }
      : {}),
    ...(variant.scheme === 'rsa-create-no-pool' ? { rsaPool: false } : {}),
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function profilingArgs(suite: HttpSuite, variant: HttpVariant): string[] {
  const dir = process.env[PROFILE_DIR_ENV];
  if (dir === undefined || dir === '') return [];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-name=${slug(`${suite.name} ${variant.id}`)}.cpuprofile`,
  ];
}

async function sourceFor(
  variant: HttpVariant,
  origin: string,
  secrets: Secrets,
  sessions: number,
  jwePool: number,
): Promise<RequestSource> {
  const floorKey = createSecretKey(secrets.aesKey);
  const get = variant.request === 'GET';
  const bytes = variant.bytes ?? KIB;
  const getOnly = () => {
    if (!get) throw new Error(`${variant.scheme} is measured on GET only`);
  };
  switch (variant.scheme) {
    case 'plaintext':
      return get ? plaintextGet() : plaintextPost(bytes);
    case 'floor':
      return get ? floorGet(floorKey) : floorPost(floorKey, bytes);
    case 'seed002':
      getOnly();
      return seed002Get(secrets.aesKey);
    case 'cl1-session':
      return await cl1SessionSource(origin, { exchange: variant.request, bytes }, sessions);
    case 'cl1-stateless':
      return await cl1StatelessSource(origin, { exchange: variant.request, bytes });
    case 'cl1-handshake':
      return await cl1HandshakeSource(origin);
    case 'jwe-p521':
    case 'jwe-p256':
      getOnly();
      return await jweGet(jweKeys(secrets, variant.scheme), jwePool);
    case 'profile-jwe-p521':
    case 'profile-jwe-p256':
      getOnly();
      return await jweGet(jweKeys(secrets, variant.scheme), jwePool, {
        header: PROFILE_JWE_HEADER,
        payload: undefined,
      });
    case 'rsa-session':
      getOnly();
      return await rsaSessionGet(origin, jwePool);
    case 'rsa-create-pool':
    case 'rsa-create-no-pool':
      return rsaCreation();
    case 'static-key':
      getOnly();
      return staticKeyGet(secrets.aesKey);
  }
}

/**
 * Server processes started at once: a full suite has over twenty, and each
 * start loads Fastify or Express and cipherlayer (about half a second of CPU):
 * all at once on 2 cores would overrun a child's start-up timeout.
 */
const START_BATCH = 4;

/** `start` of every item, `size` at a time, settled in order. */
async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  start: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.allSettled(items.slice(i, i + size).map(start))));
  return out;
}

export async function runHttpSuite(
  suite: HttpSuite,
  modeName: 'quick' | 'full',
  progress: Progress,
): Promise<HttpSuiteResult> {
  const mode = HTTP_MODES[modeName];
  const variants = variantsFor(suite, modeName);
  const secrets: Secrets = {
    aesKey: randomBytes(32),
    jwe: { 'P-521': generateJweKeys('P-521'), 'P-256': generateJweKeys('P-256') },
  };
  progress(`${suite.name}: starting ${variants.length} server processes`);
  const started = await inBatches(variants, START_BATCH, (variant) =>
    ServerProcess.start(serverSpec(suite, variant, secrets), {
      env: { AES_KEY: secrets.aesKey.toString('hex') },
      execArgv: profilingArgs(suite, variant),
    }),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const contestants: Contestant[] = [];
    for (const [i, variant] of variants.entries()) {
      const server = servers[i] as ServerProcess;
      const origin = `http://127.0.0.1:${server.port}`;
      progress(`${suite.name}: checking ${variant.id}`);
      const source = await sourceFor(variant, origin, secrets, mode.sessions, mode.jwePool);
      await source.verify(origin);
      contestants.push({ variant, server, source });
    }
    // Background work the servers started with (the rsa-session pool's first keys) must not overlap the runs.
    await Promise.all(servers.map((s) => s.settle()));
    const outcomes = await measureContestants(contestants, mode, progress);
    return {
      suite,
      mode,
      variants: summarise(outcomes, floorOf),
      targets: targetsFor(suite, modeName).map((t) => evaluateTarget(t, outcomes)),
      ratios: ratioRows(outcomes),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    const profiles = process.env[PROFILE_DIR_ENV];
    if (profiles) progress(`${suite.name}: CPU profiles in ${resolve(profiles)}`);
  }
}
