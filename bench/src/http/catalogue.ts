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
  | 'jwe-p256';

export interface HttpVariant {
  /** As shown in the table; unique in its suite. */
  readonly id: string;
  readonly scheme: VariantScheme;
  /** GET the 1 KiB document, or POST it and get it back (the handshake is a POST of its own). */
  readonly request: 'GET' | 'POST';
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

export const V = {
  getPlaintext: 'GET plaintext',
  getFloor: 'GET floor',
  getSeed002: 'GET seed 002',
  getSession: 'GET cl1 session',
  getStateless: 'GET cl1 stateless',
  getJweP521: 'GET jwe P-521 (seed 004)',
  getJweP256: 'GET jwe P-256',
  handshake: 'cl1 handshake',
  postPlaintext: 'POST plaintext',
  postFloor: 'POST floor',
  postSession: 'POST cl1 session',
} as const;

/** The baseline of the ratio columns: the floor of the same request, if there is one. */
export function floorOf(variant: HttpVariant): string | undefined {
  if (variant.scheme === 'cl1-handshake') return undefined;
  return variant.request === 'GET' ? V.getFloor : V.postFloor;
}

const getVariants = (quick: (scheme: VariantScheme) => boolean): HttpVariant[] =>
  (
    [
      [V.getPlaintext, 'plaintext'],
      [V.getFloor, 'floor'],
      [V.getSeed002, 'seed002'],
      [V.getSession, 'cl1-session'],
      [V.getStateless, 'cl1-stateless'],
      [V.getJweP521, 'jwe-p521'],
      [V.getJweP256, 'jwe-p256'],
    ] as const
  ).map(([id, scheme]) => ({ id, scheme, request: 'GET', quick: quick(scheme) }));

/**
 * The handshake endpoint under load, on Fastify only (the work is the
 * engine's, whatever the framework); `--quick` leaves it to the micro
 * `handshake` group, which checks the same target in-process.
 */
const handshakeVariant = (): HttpVariant => ({
  id: V.handshake,
  scheme: 'cl1-handshake',
  request: 'POST',
  quick: false,
});

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

export const HTTP_SUITES: readonly HttpSuite[] = [
  {
    name: 'http-fastify',
    title: 'HTTP, Fastify 5',
    framework: 'fastify',
    variants: [
      ...getVariants((scheme) => scheme === 'floor' || scheme === 'seed002' || scheme === 'cl1-session'),
      handshakeVariant(),
      { id: V.postPlaintext, scheme: 'plaintext', request: 'POST', quick: false },
      { id: V.postFloor, scheme: 'floor', request: 'POST', quick: false },
      { id: V.postSession, scheme: 'cl1-session', request: 'POST', quick: false },
    ],
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
    ],
  },
  {
    name: 'http-express',
    title: 'HTTP, Express 5',
    framework: 'express',
    variants: getVariants((scheme) => scheme === 'floor' || scheme === 'cl1-session'),
    targets: [sessionVsFloor, ...statelessTargets],
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
