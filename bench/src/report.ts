import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Mode } from './group.js';
import type { Spread, VariantResult } from './measure.js';

/** Renders results as Markdown (printed, and written to bench/results/latest.md) and as JSON. */

export interface GroupResult {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly notes: readonly string[];
  readonly variants: readonly VariantResult[];
  /** Set when the group could not run; the report says so instead of a table. */
  readonly error?: string;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly loadAverage: readonly number[];
  readonly date: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${release()} ${process.arch}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    date: new Date().toISOString(),
  };
}

/** µs with three significant figures or so: 7.41, 74.1, 741, 160,412. */
export function formatMicros(us: number): string {
  if (us < 10) return us.toFixed(2);
  if (us < 100) return us.toFixed(1);
  return Math.round(us).toLocaleString('en-US');
}

function formatRatio(ratio: number): string {
  if (ratio < 0.01) return ratio.toPrecision(2);
  if (ratio < 10) return ratio.toFixed(ratio < 1 ? 3 : 2);
  return ratio.toFixed(1);
}

function range(s: Spread, format: (n: number) => string): string {
  return `${format(s.median)} [${format(s.min)}–${format(s.max)}]`;
}

function ratioCell(v: VariantResult): string {
  if (v.ratio === undefined) return '—';
  const times = `${range(v.ratio, formatRatio)}×`;
  // Below 1 the inverse reads more easily: "0.08×" is "12.5× less CPU".
  return v.ratio.median < 1 ? `${times} (${(1 / v.ratio.median).toFixed(1)}× less CPU)` : times;
}

function verdict(v: VariantResult): string {
  if (v.targets.length === 0) return '';
  return v.targets.every((t) => t.passed) ? '**PASS**' : '**FAIL**';
}

export function renderGroup(group: GroupResult): string {
  const lines = [`## ${group.title} (\`${group.name}\`)`, '', group.description, ''];
  if (group.error !== undefined) {
    lines.push(`**Not measured:** ${group.error}`, '');
    return lines.join('\n');
  }
  lines.push(
    '| variant | ops × rounds | CPU µs/op median [min–max] | wall µs/op | ratio vs baseline (CPU) | baseline | target | result |',
    '|---|---:|---:|---:|---:|---|---|---|',
  );
  for (const v of group.variants) {
    const targets = v.targets.map((t) => (t.passed ? t.label : `${t.label} ✗`)).join('; ');
    lines.push(
      `| ${v.name} | ${v.iterations} × ${v.batches.length} | ${range(v.cpu, formatMicros)} | ${formatMicros(
        v.wall.median,
      )} | ${ratioCell(v)} | ${v.versus ?? '—'} | ${targets || '—'} | ${verdict(v)} |`,
    );
  }
  if (group.notes.length > 0) lines.push('', ...group.notes.map((n) => `- ${n}`));
  lines.push('');
  return lines.join('\n');
}

export function renderHeader(machine: Machine, mode: Mode, groups: readonly string[]): string {
  return [
    '# cipherlayer benchmarks',
    '',
    `- date: ${machine.date}`,
    `- machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB memory; ${machine.os}`,
    `- Node.js ${machine.node}; load average at start ${machine.loadAverage.join(' / ')}`,
    `- mode: ${mode.name} (${mode.rounds} rounds, about ${mode.roundMs} ms per variant per round, ${mode.warmupMs} ms warm-up per variant)`,
    `- groups: ${groups.join(', ')}`,
    '',
    'CPU is process.cpuUsage() (user + system, all threads) over a batch of operations, divided by the',
    'batch size; variants alternate within each round. "ratio" is this variant\'s CPU over the baseline\'s',
    'in the same round, median [min–max] across rounds. Targets are checked on medians.',
    '',
  ].join('\n');
}

/** One line per missed target, then one per group that could not run. */
export function failures(groups: readonly GroupResult[]): string[] {
  const out: string[] = [];
  for (const group of groups) {
    for (const v of group.variants) {
      for (const t of v.targets) {
        if (t.passed) continue;
        const ratio = v.ratio === undefined ? '' : `, ratio ${formatRatio(v.ratio.median)}×`;
        out.push(
          `${group.name} / ${v.name}: target "${t.label}" not met (CPU ${formatMicros(v.cpu.median)} µs${ratio})`,
        );
      }
    }
  }
  for (const group of groups) {
    if (group.error !== undefined) out.push(`${group.name}: not measured (${group.error})`);
  }
  return out;
}

export function renderSummary(groups: readonly GroupResult[]): string {
  const targets = groups.flatMap((g) => g.variants.flatMap((v) => v.targets));
  const missed = targets.filter((t) => !t.passed).length;
  const broken = groups.filter((g) => g.error !== undefined).length;
  const lines = ['## Targets', ''];
  lines.push(
    missed === 0 ? `All ${targets.length} targets met.` : `${missed} of ${targets.length} targets NOT met.`,
  );
  if (broken > 0) lines.push(`${broken} group(s) could not run.`);
  const failed = failures(groups);
  if (failed.length > 0) lines.push('', ...failed.map((f) => `- FAIL ${f}`));
  return `${lines.join('\n')}\n`;
}

export function writeReport(path: string, markdown: string, json: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, markdown);
  writeFileSync(path.replace(/\.md$/, '.json'), `${JSON.stringify(json, null, 2)}\n`);
}
