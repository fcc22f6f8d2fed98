import { createSecretKey, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  floorOf,
  type HttpSuite,
  type HttpVariant,
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
import type { HttpSuiteResult } from './report-http.js';
import { generateJweKeys, type JweKeyPair } from './schemes/jwe.js';
import type { ServerScheme, ServerSpec } from './server/spec.js';
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
  return scheme as ServerScheme;
}

function jweKeys(secrets: Secrets, scheme: VariantScheme): JweKeyPair {
  return scheme === 'jwe-p521' ? secrets.jwe['P-521'] : secrets.jwe['P-256'];
}

function serverSpec(suite: HttpSuite, variant: HttpVariant, secrets: Secrets): ServerSpec {
  const scheme = serverScheme(variant.scheme);
  return {
    framework: suite.framework,
    scheme,
    ...(scheme === 'jwe' ? { jwePrivateKey: jweKeys(secrets, variant.scheme).privateKey } : {}),
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
  switch (variant.scheme) {
    case 'plaintext':
      return get ? plaintextGet() : plaintextPost();
    case 'floor':
      return get ? floorGet(floorKey) : floorPost(floorKey);
    case 'seed002':
      if (!get) throw new Error('seed 002 is measured on GET only');
      return seed002Get(secrets.aesKey);
    case 'cl1-session':
      return await cl1SessionSource(origin, variant.request, sessions);
    case 'cl1-stateless':
      return await cl1StatelessSource(origin, variant.request);
    case 'cl1-handshake':
      return await cl1HandshakeSource(origin);
    case 'jwe-p521':
    case 'jwe-p256':
      return await jweGet(jweKeys(secrets, variant.scheme), jwePool);
  }
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
  const started = await Promise.allSettled(
    variants.map((variant) =>
      ServerProcess.start(serverSpec(suite, variant, secrets), {
        env: { AES_KEY: secrets.aesKey.toString('hex') },
        execArgv: profilingArgs(suite, variant),
      }),
    ),
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
    const outcomes = await measureContestants(contestants, mode, progress);
    return {
      suite,
      mode,
      variants: summarise(outcomes, floorOf),
      targets: targetsFor(suite, modeName).map((t) => evaluateTarget(t, outcomes)),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    const profiles = process.env[PROFILE_DIR_ENV];
    if (profiles) progress(`${suite.name}: CPU profiles in ${resolve(profiles)}`);
  }
}
