import { type Spread, spread } from '../measure.js';
import { type HttpTarget, type HttpVariant, isProbe } from './catalogue.js';
import { type LoadRun, runLoad } from './load.js';
import type { HttpMode } from './mode.js';
import type { ServerProcess } from './server-process.js';
import type { RequestSource } from './source.js';

/**
 * The HTTP measurement rules: each variant's server runs in its own child
 * process; a run is a fixed number of requests from the load generator (this
 * process) with the server's CPU sampled, over IPC, just before and just
 * after it; server CPU per request is that difference over the responses.
 * Variants warm up one by one (doubling runs, which also size the rounds),
 * then alternate in rounds (A B C, C B A, ...) so that drift on a shared
 * machine hits all of them alike. Ratios are taken per round, then
 * summarised by median [min–max], as in the micro groups.
 */

export interface Contestant {
  readonly variant: HttpVariant;
  readonly server: ServerProcess;
  readonly source: RequestSource;
}

export interface RunFigures {
  readonly requests: number;
  readonly reqPerSec: number;
  /** Server CPU (user + system, every thread of the server process) per response, µs. */
  readonly cpuUs: number;
  /** Of which in the kernel (system time). */
  readonly sysUs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server's resident set size after the run, bytes. */
  readonly rssBytes: number;
  /** The server process's peak resident set size so far (getrusage maxrss), bytes. */
  readonly peakRssBytes: number;
}

export interface VariantOutcome {
  readonly variant: HttpVariant;
  /** The runs of the rounds, in round order (fewer when the variant broke). */
  readonly runs: readonly RunFigures[];
  /** Why the variant's figures cannot be trusted (a refused request, a stalled run); undefined if none. */
  readonly broken: string | undefined;
}

/** Largest run: bounds the memory and the time spent preparing single-use messages. */
export const MAX_AMOUNT = 200_000;

/**
 * Request bodies prepared for one run, at most (single-use cl1 messages are
 * sealed, each its own buffer, before the run): 1 MiB bodies run 256
 * requests at a time.
 */
export const MAX_RUN_BODY_BYTES = 256 * 1024 * 1024;

/** The largest run of a variant: MAX_AMOUNT, or fewer for large bodies. */
export function maxAmountOf(variant: HttpVariant): number {
  if (variant.request !== 'POST' || variant.bytes === undefined) return MAX_AMOUNT;
  return Math.min(MAX_AMOUNT, Math.max(10, Math.floor(MAX_RUN_BODY_BYTES / variant.bytes)));
}

/**
 * The first warm-up run: ten requests per connection, or fewer for large
 * bodies (a 1 MiB echo takes tens of milliseconds), at least one per connection.
 */
export function firstWarmupAmount(variant: HttpVariant, mode: HttpMode): number {
  const bytes = variant.request === 'POST' ? (variant.bytes ?? 0) : 0;
  const byBytes = bytes === 0 ? Number.POSITIVE_INFINITY : Math.floor((16 * 1024 * 1024) / bytes);
  return Math.max(mode.connections, Math.min(mode.connections * 10, byBytes));
}

/** Order of the variants in round `round`: forward, then backward, and so on. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

export interface WarmupStep {
  readonly done: boolean;
  /** The next warm-up run's size, or, when done, each round's. */
  readonly amount: number;
}

/**
 * Warm-up in doubling runs until the server has had `warmupMs` and
 * `warmupRequests` requests (or `warmupMaxMs`, for slow variants), and the
 * last run alone took a quarter of a round; that last, warmest run's rate
 * sizes the rounds.
 */
export function warmupStep(
  mode: HttpMode,
  amount: number,
  runMs: number,
  spent: { readonly ms: number; readonly requests: number },
): WarmupStep {
  const enough =
    spent.ms >= mode.warmupMs && (spent.requests >= mode.warmupRequests || spent.ms >= mode.warmupMaxMs);
  if ((enough && runMs >= mode.roundMs / 4) || amount >= MAX_AMOUNT) {
    const perRound = Math.round((amount / Math.max(runMs, 0.001)) * mode.roundMs);
    return { done: true, amount: Math.min(MAX_AMOUNT, Math.max(mode.connections, perRound)) };
  }
  return { done: false, amount: Math.min(MAX_AMOUNT, amount * 2) };
}

/** Whether a run's figures stand: every request answered 2xx, none with a reused message, none lost. */
export function runProblem(run: LoadRun, overruns: number): string | undefined {
  if (overruns > 0) return `${overruns} request(s) ran out of prepared messages`;
  if (run.non2xx > 0) return `${run.non2xx} of ${run.responses} responses were not 2xx`;
  if (run.errors > 0) return `${run.errors} connection error(s) or timeout(s)`;
  if (run.responses < run.requested) return `${run.requested - run.responses} request(s) unanswered`;
  return undefined;
}

type Outcome = {
  readonly figures: RunFigures;
  readonly problem: string | undefined;
  readonly wallMs: number;
};

/**
 * A probe (session creation) runs its requests one at a time on one
 * connection, so that its latency is a creation's own; the server's
 * background work it caused (refilling the RSA key pool) is waited for
 * before the second CPU sample, so that it counts in the run.
 */
async function measureRun(contestant: Contestant, amount: number, mode: HttpMode): Promise<Outcome> {
  const { server, source } = contestant;
  const probe = isProbe(contestant.variant);
  await source.prepare(amount);
  const overrunsBefore = source.overruns;
  const before = await server.cpu();
  const run = await runLoad({
    port: server.port,
    source,
    amount,
    connections: probe ? 1 : mode.connections,
    timeoutMs: mode.runTimeoutMs,
  });
  if (probe) await server.settle();
  const after = await server.cpu();
  const responses = Math.max(run.responses, 1);
  return {
    figures: {
      requests: run.responses,
      reqPerSec: (run.responses / run.wallMs) * 1000,
      cpuUs: (after.user - before.user + after.system - before.system) / responses,
      sysUs: (after.system - before.system) / responses,
      p50Ms: run.p50Ms,
      p99Ms: run.p99Ms,
      rssBytes: after.rss,
      peakRssBytes: after.peakRss,
    },
    problem: runProblem(run, source.overruns - overrunsBefore),
    wallMs: run.wallMs,
  };
}

export type Progress = (message: string) => void;

export async function measureContestants(
  contestants: readonly Contestant[],
  mode: HttpMode,
  progress: Progress,
): Promise<VariantOutcome[]> {
  const amounts = new Map<Contestant, number>();
  const broken = new Map<Contestant, string>();
  for (const contestant of contestants) {
    progress(`  warm-up: ${contestant.variant.id}`);
    if (isProbe(contestant.variant)) {
      // A fixed count, one warm-up run; each run starts from a settled server (a full pool).
      await contestant.server.settle();
      const { problem } = await measureRun(contestant, mode.probeRequests, mode);
      if (problem !== undefined) broken.set(contestant, `warm-up: ${problem}`);
      amounts.set(contestant, mode.probeRequests);
      continue;
    }
    let amount = firstWarmupAmount(contestant.variant, mode);
    const spent = { ms: 0, requests: 0 };
    for (;;) {
      const { problem, wallMs } = await measureRun(contestant, amount, mode);
      if (problem !== undefined) {
        broken.set(contestant, `warm-up: ${problem}`);
        break;
      }
      spent.ms += wallMs;
      spent.requests += amount;
      const step = warmupStep(mode, amount, wallMs, spent);
      amount = Math.min(step.amount, maxAmountOf(contestant.variant));
      if (step.done) break;
    }
    amounts.set(contestant, amount);
  }

  const runs = new Map<Contestant, RunFigures[]>(contestants.map((c) => [c, []]));
  for (let round = 0; round < mode.rounds; round++) {
    progress(`  round ${round + 1}/${mode.rounds}`);
    for (const contestant of roundOrder(contestants, round)) {
      if (broken.has(contestant)) continue;
      const { figures, problem } = await measureRun(contestant, amounts.get(contestant) as number, mode);
      if (problem !== undefined) broken.set(contestant, `round ${round + 1}: ${problem}`);
      else runs.get(contestant)?.push(figures);
    }
  }
  return contestants.map((c) => ({
    variant: c.variant,
    runs: runs.get(c) as RunFigures[],
    broken: broken.get(c),
  }));
}

// ---- summaries ------------------------------------------------------------------

export interface VariantSummary {
  readonly id: string;
  readonly variant: HttpVariant;
  readonly broken: string | undefined;
  readonly rounds: number;
  /** Requests per run (median). */
  readonly requests: number;
  readonly reqPerSec: Spread | undefined;
  readonly cpuUs: Spread | undefined;
  readonly sysUs: Spread | undefined;
  readonly p50Ms: Spread | undefined;
  readonly p99Ms: Spread | undefined;
  readonly peakRssBytes: number | undefined;
  /** Against the floor of the same request, per round. */
  readonly floor: string | undefined;
  readonly reqRatio: Spread | undefined;
  /** This variant's CPU per request over the floor's (above 1: more CPU). */
  readonly cpuRatio: Spread | undefined;
}

function spreadOf(runs: readonly RunFigures[], pick: (run: RunFigures) => number): Spread | undefined {
  return runs.length === 0 ? undefined : spread(runs.map(pick));
}

/**
 * Per-round ratios of `pick(a) / pick(b)`. Only rounds where both ran count;
 * a broken variant has no figures from the round it broke in on.
 */
export function roundRatios(
  a: readonly RunFigures[],
  b: readonly RunFigures[],
  pick: (run: RunFigures) => number,
): Spread | undefined {
  const rounds = Math.min(a.length, b.length);
  if (rounds === 0) return undefined;
  return spread(
    Array.from({ length: rounds }, (_, i) => pick(a[i] as RunFigures) / pick(b[i] as RunFigures)),
  );
}

export function summarise(
  outcomes: readonly VariantOutcome[],
  floorOf: (variant: HttpVariant) => string | undefined,
): VariantSummary[] {
  const byId = new Map(outcomes.map((o) => [o.variant.id, o]));
  return outcomes.map((outcome) => {
    const { runs, variant } = outcome;
    const floorId = floorOf(variant);
    const floor = floorId === undefined || floorId === variant.id ? undefined : byId.get(floorId);
    const usable = outcome.broken === undefined ? runs : [];
    const floorRuns = floor?.broken === undefined ? (floor?.runs ?? []) : [];
    return {
      id: variant.id,
      variant,
      broken: outcome.broken,
      rounds: runs.length,
      requests: runs.length === 0 ? 0 : Math.round(spread(runs.map((r) => r.requests)).median),
      reqPerSec: spreadOf(usable, (r) => r.reqPerSec),
      cpuUs: spreadOf(usable, (r) => r.cpuUs),
      sysUs: spreadOf(usable, (r) => r.sysUs),
      p50Ms: spreadOf(usable, (r) => r.p50Ms),
      p99Ms: spreadOf(usable, (r) => r.p99Ms),
      peakRssBytes: runs.length === 0 ? undefined : Math.max(...runs.map((r) => r.peakRssBytes)),
      floor: floor === undefined ? undefined : floor.variant.id,
      reqRatio: floor === undefined ? undefined : roundRatios(usable, floorRuns, (r) => r.reqPerSec),
      cpuRatio: floor === undefined ? undefined : roundRatios(usable, floorRuns, (r) => r.cpuUs),
    };
  });
}

// ---- targets --------------------------------------------------------------------

export interface TargetResult {
  readonly target: HttpTarget;
  /** variant req/s ÷ versus req/s, per round (ratio targets). */
  readonly reqRatio: Spread | undefined;
  /** versus CPU/request ÷ variant CPU/request, per round: the same ratio, counted in server CPU. */
  readonly cpuRatio: Spread | undefined;
  /** The variant's CPU per request (CPU targets). */
  readonly cpuUs: Spread | undefined;
  /** Undefined when a variant of the target was not measured. */
  readonly passed: boolean | undefined;
  /** The same verdict counted in CPU per request (ratio targets). */
  readonly passedByCpu: boolean | undefined;
  readonly reason: string | undefined;
}

export function evaluateTarget(target: HttpTarget, outcomes: readonly VariantOutcome[]): TargetResult {
  const find = (id: string) => outcomes.find((o) => o.variant.id === id);
  const variant = find(target.variant);
  const empty = { target, reqRatio: undefined, cpuRatio: undefined, cpuUs: undefined };
  const missing = (id: string, o: VariantOutcome | undefined) =>
    o === undefined ? `${id} did not run` : o.broken !== undefined ? `${id} broken: ${o.broken}` : undefined;
  const problem =
    missing(target.variant, variant) ??
    ('versus' in target ? missing(target.versus, find(target.versus)) : undefined);
  if (problem !== undefined || variant === undefined)
    return { ...empty, passed: undefined, passedByCpu: undefined, reason: problem };
  if ('cpuBelowUs' in target) {
    const cpuUs = spreadOf(variant.runs, (r) => r.cpuUs);
    const passed = cpuUs !== undefined && cpuUs.median < target.cpuBelowUs;
    return { ...empty, cpuUs, passed, passedByCpu: passed, reason: undefined };
  }
  const versus = find(target.versus) as VariantOutcome;
  const reqRatio = roundRatios(variant.runs, versus.runs, (r) => r.reqPerSec);
  const cpuRatio = roundRatios(versus.runs, variant.runs, (r) => r.cpuUs);
  return {
    ...empty,
    reqRatio,
    cpuRatio,
    passed: reqRatio !== undefined && reqRatio.median >= target.atLeast,
    passedByCpu: cpuRatio !== undefined && cpuRatio.median >= target.atLeast,
    reason: undefined,
  };
}
