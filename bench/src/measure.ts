import type { Measured, Mode, Variant } from './group.js';

/**
 * The measurement rules of the project: CPU time from process.cpuUsage()
 * (user + system, every thread of the process, so Web Crypto's thread-pool
 * work counts too) over many operations, after a warm-up; the variants of a
 * group alternate in rounds (A B C, C B A, ...) so that drift on a shared
 * machine hits all of them alike; ratios are taken per round, between
 * batches that ran within the same second or so, and summarised by their
 * median.
 *
 * No collection is forced between batches: a forced full GC lowers V8's
 * heap limits so that the next batch runs into concurrent marking, which
 * doubled the cost of allocation-heavy variants in a trial; preparing inputs
 * per batch or all up front measured the same.
 */

export interface Batch {
  readonly iterations: number;
  /** CPU µs per operation. */
  readonly cpuUs: number;
  /** Wall-clock µs per operation. */
  readonly wallUs: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface TargetOutcome {
  readonly label: string;
  readonly passed: boolean;
}

export interface VariantResult {
  readonly name: string;
  readonly versus: string | undefined;
  readonly iterations: number;
  readonly batches: readonly Batch[];
  readonly cpu: Spread;
  readonly wall: Spread;
  readonly ratio: Spread | undefined;
  readonly targets: readonly TargetOutcome[];
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

async function timedBatch(variant: Variant, iterations: number): Promise<Batch> {
  await variant.prepare?.(iterations);
  const { operation } = variant;
  const cpuStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  if ('sync' in operation) {
    const run = operation.sync;
    for (let i = 0; i < iterations; i++) run(i);
  } else {
    const run = operation.async;
    for (let i = 0; i < iterations; i++) await run(i);
  }
  const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { iterations, cpuUs: (cpu.user + cpu.system) / iterations, wallUs: wallUs / iterations };
}

/**
 * Warm-up in doubling batches until `warmupMs` has passed and the last batch
 * alone took a quarter of a round (so a slow first call, such as a lazy
 * initialisation, cannot size the rounds); the last, most optimised batch
 * sizes the rounds so that each takes about `roundMs`.
 */
async function warmUp(variant: Variant, mode: Mode): Promise<number> {
  const cap = variant.maxIterations ?? Number.POSITIVE_INFINITY;
  let iterations = 1;
  let spentUs = 0;
  for (;;) {
    const batch = await timedBatch(variant, iterations);
    const batchUs = batch.wallUs * iterations;
    spentUs += batchUs;
    const warm = spentUs >= mode.warmupMs * 1000 && batchUs >= (mode.roundMs * 1000) / 4;
    if (warm || iterations >= cap) {
      const perRound = Math.round((mode.roundMs * 1000) / Math.max(batch.wallUs, 0.001));
      return Math.max(1, Math.min(cap, perRound));
    }
    iterations = Math.min(cap, iterations * 2);
  }
}

export type Progress = (message: string) => void;

export async function measureVariants(
  variants: readonly Variant[],
  mode: Mode,
  progress: Progress,
): Promise<VariantResult[]> {
  const names = new Set(variants.map((v) => v.name));
  for (const v of variants) {
    if (v.versus !== undefined && !names.has(v.versus))
      throw new Error(`variant "${v.name}" is compared with "${v.versus}", which is not in its group`);
  }

  const iterations = new Map<Variant, number>();
  for (const variant of variants) {
    progress(`  warm-up: ${variant.name}`);
    iterations.set(variant, await warmUp(variant, mode));
  }

  const batches = new Map<Variant, Batch[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < mode.rounds; round++) {
    progress(`  round ${round + 1}/${mode.rounds}`);
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      batches.get(variant)?.push(await timedBatch(variant, iterations.get(variant) as number));
    }
  }

  const byName = new Map(variants.map((v) => [v.name, batches.get(v) as Batch[]]));
  return variants.map((variant) => {
    const own = batches.get(variant) as Batch[];
    const base = variant.versus === undefined ? undefined : (byName.get(variant.versus) as Batch[]);
    const cpu = spread(own.map((b) => b.cpuUs));
    const ratio = base && spread(own.map((b, round) => b.cpuUs / (base[round] as Batch).cpuUs));
    const measured: Measured = { cpuUs: cpu.median, ratio: ratio?.median };
    return {
      name: variant.name,
      versus: variant.versus,
      iterations: iterations.get(variant) as number,
      batches: own,
      cpu,
      wall: spread(own.map((b) => b.wallUs)),
      ratio,
      targets: (variant.targets ?? []).map((t) => ({ label: t.label, passed: t.passes(measured) })),
    };
  });
}
