import type { Framework } from './server/spec.js';

/**
 * The HTTP variants and their targets. A suite is one framework: its
 * variants alternate within each round, and its targets compare variants of
 * the same run. `--only http` runs every suite, `--only http-fastify` one.
 */

export type VariantScheme =
  | 'plaintext'
  | 'floor'
  | 'seed002'
  | 'cl1-session'
  | 'cl1-stateless'
  | 'cl1-handshake'
  | 'jwe-p521'
  | 'jwe-p256'
  | 'rsa-session'
  | 'rsa-create-pool'
  | 'rsa-create-no-pool'
  | 'static-key'
  | 'profile-jwe-p521'
  | 'profile-jwe-p256';

export interface HttpVariant {
  /** As shown in the table; unique in its suite. */
  readonly id: string;
  readonly scheme: VariantScheme;
  /** GET the 1 KiB document, or POST a document and get it back (the handshakes are POSTs of their own). */
  readonly request: 'GET' | 'POST';
  /** POST only: the size of the JSON body sent and echoed. Default 1 KiB. */
  readonly bytes?: number;
  /** Whether `--quick` runs it. */
  readonly quick: boolean;
}

/**
 * A target: `variant`'s requests/s at least `atLeast` times `versus`'s, or
 * `variant`'s server CPU per request below `cpuBelowUs`.
 */
export type HttpTarget =
  | { readonly label: string; readonly variant: string; readonly versus: string; readonly atLeast: number }
  | { readonly label: string; readonly variant: string; readonly cpuBelowUs: number };

export interface HttpSuite {
  /** The id used by `--only`. */
  readonly name: string;
  readonly title: string;
  readonly framework: Framework;
  readonly variants: readonly HttpVariant[];
  readonly targets: readonly HttpTarget[];
}

export const KIB = 1024;
export const MIB = 1024 * 1024;
/** The POST body sizes measured: the 1 KiB document, and the same document padded. */
export const BODY_SIZES = [KIB, 64 * KIB, MIB] as const;

/** "1 KiB", "64 KiB", "1 MiB". */
export function sizeLabel(bytes: number): string {
  return bytes >= MIB && bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes / KIB} KiB`;
}

export const V = {
  getPlaintext: 'GET plaintext',
  getFloor: 'GET floor',
  getSeed002: 'GET seed 002',
  getSession: 'GET cl1 session',
  getStateless: 'GET cl1 stateless',
  getJweP521: 'GET jwe P-521 (seed 004)',
  getJweP256: 'GET jwe P-256',
  getRsaSession: 'GET rsa-session (profile)',
  getStaticKey: 'GET static-key (profile)',
  getProfileJweP521: 'GET jwe P-521 (profile)',
  getProfileJweP256: 'GET jwe P-256 (profile)',
  handshake: 'cl1 handshake',
  rsaCreatePool: 'rsa-session creation, RSA pool',
  rsaCreateNoPool: 'rsa-session creation, no pool',
  postPlaintext: 'POST 1 KiB plaintext',
  postFloor: 'POST 1 KiB floor',
  postSession: 'POST 1 KiB cl1 session',
  postStateless: 'POST 1 KiB cl1 stateless',
} as const;

const POST_LABELS: Partial<Record<VariantScheme, string>> = {
  plaintext: 'plaintext',
  floor: 'floor',
  'cl1-session': 'cl1 session',
  'cl1-stateless': 'cl1 stateless',
};

/** The id of a POST variant of `scheme` with a body of `bytes`: "POST 64 KiB cl1 session". */
export function postId(
  scheme: 'plaintext' | 'floor' | 'cl1-session' | 'cl1-stateless',
  bytes: number,
): string {
  return `POST ${sizeLabel(bytes)} ${POST_LABELS[scheme] as string}`;
}

/** Session creations and handshakes: one connection, a fixed count, latency first (no floor, no plaintext). */
export function isCreation(variant: HttpVariant): boolean {
  return (
    variant.scheme === 'cl1-handshake' ||
    variant.scheme === 'rsa-create-pool' ||
    variant.scheme === 'rsa-create-no-pool'
  );
}

/** Session creations measured as a latency probe (sequential requests on one connection), not under load. */
export function isProbe(variant: HttpVariant): boolean {
  return variant.scheme === 'rsa-create-pool' || variant.scheme === 'rsa-create-no-pool';
}

/**
 * What a variant exchanges, which decides what it is compared with: "GET
 * 1 KiB", "POST 64 KiB"..., or undefined for session creations.
 */
export function exchangeOf(variant: HttpVariant): string | undefined {
  if (isCreation(variant)) return undefined;
  return variant.request === 'GET' ? 'GET 1 KiB' : `POST ${sizeLabel(variant.bytes ?? KIB)}`;
}

function baselineOf(variant: HttpVariant, scheme: 'floor' | 'plaintext'): string | undefined {
  if (isCreation(variant)) return undefined;
  if (variant.request === 'GET') return scheme === 'floor' ? V.getFloor : V.getPlaintext;
  return postId(scheme, variant.bytes ?? KIB);
}

/** The baseline of the ratio columns: the floor of the same request, if there is one. */
export function floorOf(variant: HttpVariant): string | undefined {
  return baselineOf(variant, 'floor');
}

/** The plaintext variant of the same request, for the "÷ plaintext" ratios. */
export function plaintextOf(variant: HttpVariant): string | undefined {
  return baselineOf(variant, 'plaintext');
}

type Quick = (scheme: VariantScheme) => boolean;

const getVariants = (quick: Quick): HttpVariant[] =>
  (
    [
      [V.getPlaintext, 'plaintext'],
      [V.getFloor, 'floor'],
      [V.getSeed002, 'seed002'],
      [V.getSession, 'cl1-session'],
      [V.getStateless, 'cl1-stateless'],
      [V.getJweP521, 'jwe-p521'],
      [V.getJweP256, 'jwe-p256'],
      [V.getRsaSession, 'rsa-session'],
      [V.getStaticKey, 'static-key'],
      [V.getProfileJweP521, 'profile-jwe-p521'],
      [V.getProfileJweP256, 'profile-jwe-p256'],
    ] as const
  ).map(([id, scheme]) => ({ id, scheme, request: 'GET', quick: quick(scheme) }));

/** POST of 1 KiB, 64 KiB and 1 MiB, each as plaintext, floor, cl1 session and cl1 stateless; full mode only. */
const postVariants = (): HttpVariant[] =>
  BODY_SIZES.flatMap((bytes) =>
    (['plaintext', 'floor', 'cl1-session', 'cl1-stateless'] as const).map((scheme) => ({
      id: postId(scheme, bytes),
      scheme,
      request: 'POST' as const,
      bytes,
      quick: false,
    })),
  );

/**
 * The handshake endpoint under load, on Fastify only (the work is the
 * engine's, whatever the framework); `--quick` leaves it to the micro
 * `handshake` group, which checks the same target in-process. The
 * rsa-session creations (seed 001's phase 1) are latency probes: with the
 * pool a creation takes a key made earlier in a worker; without it, it
 * generates its RSA-2048 key on the request path, as the seed does.
 */
const creationVariants = (): HttpVariant[] => [
  { id: V.handshake, scheme: 'cl1-handshake', request: 'POST', quick: false },
  { id: V.rsaCreatePool, scheme: 'rsa-create-pool', request: 'POST', quick: false },
  { id: V.rsaCreateNoPool, scheme: 'rsa-create-no-pool', request: 'POST', quick: false },
];

const sessionVsFloor: HttpTarget = {
  label: `${V.getSession} ≥ 0.90× ${V.getFloor} (req/s)`,
  variant: V.getSession,
  versus: V.getFloor,
  atLeast: 0.9,
};
const statelessTargets: HttpTarget[] = [
  {
    label: `${V.getStateless} ≥ 5× ${V.getJweP521} (req/s)`,
    variant: V.getStateless,
    versus: V.getJweP521,
    atLeast: 5,
  },
  {
    label: `${V.getStateless} ≥ 2× ${V.getJweP256} (req/s)`,
    variant: V.getStateless,
    versus: V.getJweP256,
    atLeast: 2,
  },
];
const handshakeTarget: HttpTarget = {
  label: `${V.handshake} < 500 µs server CPU per handshake`,
  variant: V.handshake,
  cpuBelowUs: 500,
};
/** The 1 MiB body against the floor, which is bare node:crypto AES-256-GCM over the same bytes. */
const bulkTarget: HttpTarget = {
  label: `${postId('cl1-session', MIB)} ≥ 0.70× ${postId('floor', MIB)} (req/s; the floor is bare AES-256-GCM over the same bytes)`,
  variant: postId('cl1-session', MIB),
  versus: postId('floor', MIB),
  atLeast: 0.7,
};

/**
 * `--quick` (under a minute in all) runs GET plaintext, floor and cl1
 * session on Fastify, the floor and cl1 session on Express; the 1 MiB
 * target is then checked in-process by the micro `bodies` group.
 */
const quickGet: Quick = (scheme) => scheme === 'plaintext' || scheme === 'floor' || scheme === 'cl1-session';

export const HTTP_SUITES: readonly HttpSuite[] = [
  {
    name: 'http-fastify',
    title: 'HTTP, Fastify 5',
    framework: 'fastify',
    variants: [...getVariants(quickGet), ...creationVariants(), ...postVariants()],
    targets: [
      sessionVsFloor,
      {
        label: `${V.getSession} ≥ 1.3× ${V.getSeed002} (req/s)`,
        variant: V.getSession,
        versus: V.getSeed002,
        atLeast: 1.3,
      },
      ...statelessTargets,
      handshakeTarget,
      bulkTarget,
    ],
  },
  {
    name: 'http-express',
    title: 'HTTP, Express 5',
    framework: 'express',
    variants: [...getVariants((scheme) => scheme === 'floor' || scheme === 'cl1-session'), ...postVariants()],
    targets: [sessionVsFloor, ...statelessTargets, bulkTarget],
  },
];

/** The variants a mode runs. */
export function variantsFor(suite: HttpSuite, mode: 'quick' | 'full'): HttpVariant[] {
  return suite.variants.filter((v) => mode === 'full' || v.quick);
}

/** The targets whose variants all run in this mode. */
export function targetsFor(suite: HttpSuite, mode: 'quick' | 'full'): HttpTarget[] {
  const ids = new Set(variantsFor(suite, mode).map((v) => v.id));
  return suite.targets.filter((t) => ids.has(t.variant) && (!('versus' in t) || ids.has(t.versus)));
}
