import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './report.js';

/**
 * docs/benchmarks.md shows the latest published figures: a full run of every
 * group (`npm run bench`, no `--only`) rewrites the part between these two
 * markers with its ratio tables and target summary; quick or partial runs
 * leave the page alone.
 */

export const DOCS_START = '<!-- bench:latest:start (written by npm run bench; do not edit by hand) -->';
export const DOCS_END = '<!-- bench:latest:end -->';

/** `document` with what lies between the markers replaced by `content`; throws if the markers are missing or out of order. */
export function replaceBetweenMarkers(document: string, content: string): string {
  const start = document.indexOf(DOCS_START);
  const end = document.indexOf(DOCS_END);
  if (start === -1 || end === -1 || end < start)
    throw new Error('docs/benchmarks.md: the bench:latest markers are missing or out of order');
  return `${document.slice(0, start + DOCS_START.length)}\n${content.trim()}\n${document.slice(end)}`;
}

/** Rewrites the figures in `path`; false when the page is not there. */
export function updateDocs(path: string, content: string): boolean {
  if (!existsSync(path)) return false;
  writeFileSync(path, replaceBetweenMarkers(readFileSync(path, 'utf8'), content));
  return true;
}

/**
 * What goes between the markers, under the page's "## Latest published
 * results": the machine, the chart, the ratio tables, the memory and browser
 * sections and the targets, their headings one level down.
 */
export function publishedFigures(
  machine: Machine,
  ratios: string,
  sections: readonly string[],
  summary: string,
): string {
  const down = (markdown: string) => markdown.replace(/^(#{2,5}) /gm, '#$1 ');
  return [
    `Measured ${machine.date} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node.js ${machine.node}; load average at start ${machine.loadAverage.join(' / ')}; full mode. The whole report, every group's table included, is [bench/results/latest.md](../bench/results/latest.md).`,
    '',
    '![Throughput ratios, log scale](../bench/results/latest.svg)',
    '',
    // The ratio tables are the page's own "###" sections: only their "## Ratios" title goes.
    ratios.replace(/^## Ratios\n+/, ''),
    ...sections.map(down),
    down(summary),
  ].join('\n');
}
