/**
 * What a benchmark group is. A group is one file under `groups/`: it sets up
 * what it needs, then hands the runner a list of variants to measure in
 * alternation. The runner (measure.ts) owns timing; groups never read a clock.
 */

/** How long and how often to measure. */
export interface Mode {
  readonly name: 'quick' | 'full';
  /** Rounds; every variant of a group runs once per round, in alternating order. */
  readonly rounds: number;
  /** Warm-up time per variant before the rounds (also sizes the rounds). */
  readonly warmupMs: number;
  /** Aimed time of one variant's batch in one round. */
  readonly roundMs: number;
}

export const MODES: Readonly<Record<Mode['name'], Mode>> = {
  quick: { name: 'quick', rounds: 3, warmupMs: 100, roundMs: 60 },
  full: { name: 'full', rounds: 9, warmupMs: 400, roundMs: 250 },
};

/**
 * One operation. A sync operation runs in a tight loop; an async one is
 * awaited before the next starts (no overlap, so CPU per op is comparable).
 */
export type Operation =
  | { readonly sync: (index: number) => unknown }
  | { readonly async: (index: number) => Promise<unknown> };

/** The figures a target is checked against: medians across rounds. */
export interface Measured {
  readonly cpuUs: number;
  /** This variant's CPU over its `versus` variant's, per round; undefined without `versus`. */
  readonly ratio: number | undefined;
}

export interface Target {
  /** As shown in the report, e.g. "CPU ≤ 250 µs". */
  readonly label: string;
  readonly passes: (measured: Measured) => boolean;
}

export interface Variant {
  readonly name: string;
  /** The name of the variant in the same group that this one's ratio is computed against. */
  readonly versus?: string;
  readonly targets?: readonly Target[];
  /** Upper bound on operations per batch, for slow operations (RSA key generation). */
  readonly maxIterations?: number;
  /**
   * Untimed work before each timed batch of `iterations` operations: fresh
   * messages for a replay-protected server, responses for a client to open.
   * Operation `index` runs on the inputs prepared for it.
   */
  readonly prepare?: (iterations: number) => void | Promise<void>;
  readonly operation: Operation;
}

export interface GroupPlan {
  readonly variants: readonly Variant[];
  /** What each variant does exactly, printed under the table. */
  readonly notes?: readonly string[];
  readonly teardown?: () => void | Promise<void>;
}

export interface BenchGroup {
  /** The id used by `--only`. */
  readonly name: string;
  readonly title: string;
  /** One paragraph for the report: what is measured and why. */
  readonly description: string;
  /** Builds the fixtures (keys, servers, sessions) and checks that each variant does the work it claims. */
  readonly setup: (mode: Mode) => Promise<GroupPlan>;
}

const micro = (us: number) => `${us} µs`;

export function cpuAtMost(us: number): Target {
  return { label: `CPU ≤ ${micro(us)}`, passes: (m) => m.cpuUs <= us };
}

export function cpuBelow(us: number): Target {
  return { label: `CPU < ${micro(us)}`, passes: (m) => m.cpuUs < us };
}

/** A ratio to the `versus` variant: `max` 0.2 reads "at least 5× less CPU". */
export function ratioAtMost(max: number, label: string): Target {
  return { label, passes: (m) => m.ratio !== undefined && m.ratio <= max };
}
