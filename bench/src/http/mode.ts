import type { Mode } from '../group.js';

/** How long and how often the HTTP suites measure, per runner mode. */
export interface HttpMode {
  readonly name: Mode['name'];
  /** Rounds; every variant of a suite runs once per round, in alternating order. */
  readonly rounds: number;
  /**
   * Warm-up per variant, for the server's JIT (and to size its rounds): at
   * least `warmupMs` and `warmupRequests` requests, unless `warmupMaxMs` has
   * passed (slow variants: a JWE P-521 route serves ~130 requests/s).
   */
  readonly warmupMs: number;
  readonly warmupRequests: number;
  readonly warmupMaxMs: number;
  /** Aimed length of one variant's run in one round; the run is a fixed number of requests. */
  readonly roundMs: number;
  /** Keep-alive connections of the load generator. */
  readonly connections: number;
  /** Sessions the cl1 session variants spread their messages over. */
  readonly sessions: number;
  /** Distinct seed 004 tokens per JWE variant, reused in turn. */
  readonly jwePool: number;
  /** A run still going after this long is stopped and reported as broken. */
  readonly runTimeoutMs: number;
  /** Session creations per run of a latency probe (rsa-session), sent one at a time. */
  readonly probeRequests: number;
}

export const HTTP_MODES: Readonly<Record<Mode['name'], HttpMode>> = {
  quick: {
    name: 'quick',
    rounds: 2,
    warmupMs: 200,
    warmupRequests: 2_000,
    warmupMaxMs: 600,
    roundMs: 500,
    connections: 10,
    sessions: 4,
    jwePool: 32,
    runTimeoutMs: 30_000,
    probeRequests: 4,
  },
  full: {
    name: 'full',
    rounds: 5,
    warmupMs: 1_000,
    warmupRequests: 12_000,
    warmupMaxMs: 2_000,
    roundMs: 1_200,
    connections: 10,
    sessions: 16,
    jwePool: 64,
    runTimeoutMs: 60_000,
    probeRequests: 12,
  },
};
