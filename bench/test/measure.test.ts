import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli.js';
import { cpuAtMost, MODES, type Mode, ratioAtMost, type Variant } from '../src/group.js';
import { measureVariants, spread } from '../src/measure.js';
import { failures, renderGroup } from '../src/report.js';

// Only the runner's logic is tested here; no test asserts how long anything takes.
const tiny: Mode = { name: 'quick', rounds: 4, warmupMs: 1, roundMs: 1 };
const silent = () => {};

describe('spread', () => {
  it('gives the median, min and max of odd and even counts', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});

describe('measureVariants', () => {
  it('alternates the variants round by round (A B, B A, ...) and prepares each batch', async () => {
    const order: string[] = [];
    const prepared: number[] = [];
    const variant = (name: string): Variant => ({
      name,
      maxIterations: 1,
      prepare: (n) => {
        prepared.push(n);
      },
      operation: { sync: () => order.push(name) },
    });
    await measureVariants([variant('A'), variant('B')], tiny, silent);
    // One warm-up batch each (capped at one operation), then the rounds.
    expect(order).toEqual(['A', 'B', 'A', 'B', 'B', 'A', 'A', 'B', 'B', 'A']);
    expect(prepared.every((n) => n === 1)).toBe(true);
  });

  it('awaits asynchronous operations one at a time', async () => {
    let running = 0;
    let most = 0;
    const operation = {
      async: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
    };
    await measureVariants([{ name: 'async', maxIterations: 8, operation }], tiny, silent);
    expect(most).toBe(1);
  });

  it('computes ratios per round against the named baseline and checks targets on medians', async () => {
    const [base, variant] = await measureVariants(
      [
        { name: 'base', maxIterations: 1, operation: { sync: () => 0 } },
        {
          name: 'variant',
          versus: 'base',
          maxIterations: 1,
          targets: [cpuAtMost(1e9), ratioAtMost(-1, 'impossible')],
          operation: { sync: () => 0 },
        },
      ],
      tiny,
      silent,
    );
    expect(base?.ratio).toBeUndefined();
    expect(variant?.batches).toHaveLength(tiny.rounds);
    expect(variant?.ratio).toBeDefined();
    expect(variant?.targets).toEqual([
      { label: 'CPU ≤ 1000000000 µs', passed: true },
      { label: 'impossible', passed: false },
    ]);
    const group = { name: 'g', title: 'G', description: 'd', notes: [], variants: [base!, variant!] };
    expect(renderGroup(group)).toContain('**FAIL**');
    expect(failures([group])).toEqual([expect.stringContaining('g / variant: target "impossible" not met')]);
  });

  it('refuses a baseline that is not in the group', async () => {
    await expect(
      measureVariants([{ name: 'a', versus: 'missing', operation: { sync: () => 0 } }], tiny, silent),
    ).rejects.toThrow(/not in its group/);
  });
});

describe('parseArgs', () => {
  const known = ['stateless', 'session'];

  it('defaults to the full mode and every group', () => {
    expect(parseArgs([], known)).toEqual({ mode: MODES.full, only: [], help: false });
  });

  it('reads --quick and --only in both spellings', () => {
    const options = parseArgs(['--quick', '--only', 'session', '--only=stateless'], known);
    expect(options.mode).toBe(MODES.quick);
    expect(options.only).toEqual(['session', 'stateless']);
    expect(parseArgs(['--only', 'stateless,session'], known).only).toEqual(['stateless', 'session']);
  });

  it('names the groups when one is unknown, and rejects unknown flags', () => {
    expect(() => parseArgs(['--only', 'nope'], known)).toThrow(/stateless, session/);
    expect(() => parseArgs(['--only'], known)).toThrow(UsageError);
    expect(() => parseArgs(['--fast'], known)).toThrow(UsageError);
  });
});
