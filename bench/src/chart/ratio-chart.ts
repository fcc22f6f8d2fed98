import { element, svgDocument, text } from './svg.js';

/**
 * A horizontal bar chart of ratios on a logarithmic axis: each bar starts at
 * 1× and ends at its median, left of 1× below it and right above it, with a
 * whisker from its min to its max. One row per compared pair, one bar per
 * series (requests/s, and requests per server CPU-second).
 */

export interface RatioBar {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ChartRow {
  readonly label: string;
  /** One per series, in the order of `ChartSpec.series`; undefined where that ratio is not taken. */
  readonly bars: readonly (RatioBar | undefined)[];
}

export interface ChartGroup {
  readonly title: string;
  readonly rows: readonly ChartRow[];
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle: readonly string[];
  /** Legend names of the series. */
  readonly series: readonly string[];
  readonly groups: readonly ChartGroup[];
}

const WIDTH = 1000;
const LABEL_WIDTH = 430;
const PLOT_LEFT = LABEL_WIDTH + 20;
const PLOT_RIGHT = WIDTH - 70;
const BAR_HEIGHT = 8;
const ROW_GAP = 8;
const GROUP_HEADER = 28;
const COLOURS = ['#1d4ed8', '#93c5fd', '#047857', '#6ee7b7'];

/** Powers of ten around every value and 1× (so the reference line is always on the chart). */
export function ratioDomain(values: readonly number[]): readonly [number, number] {
  const usable = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.min(1, ...usable);
  const hi = Math.max(1, ...usable);
  let min = 10 ** Math.floor(Math.log10(lo));
  let max = 10 ** Math.ceil(Math.log10(hi));
  if (min === max) {
    min /= 10;
    max *= 10;
  }
  return [min, max];
}

/** x of `value` on a logarithmic axis from `domain[0]` at `left` to `domain[1]` at `right`; clamped. */
export function logPosition(value: number, domain: readonly [number, number], left: number, right: number) {
  const [min, max] = domain;
  const clamped = Math.min(max, Math.max(min, value));
  return (
    left + ((Math.log10(clamped) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * (right - left)
  );
}

/** Tick values: 1, 2 and 5 times each power of ten within the domain. */
export function ticks(domain: readonly [number, number]): number[] {
  const out: number[] = [];
  for (let p = Math.round(Math.log10(domain[0])); p <= Math.round(Math.log10(domain[1])); p++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v >= domain[0] * 0.999 && v <= domain[1] * 1.001) out.push(Number(v.toPrecision(3)));
    }
  }
  return out;
}

/** "0.05×", "1×", "20×", "1.3×". */
export function formatTimes(value: number): string {
  if (value >= 10) return `${Math.round(value)}×`;
  if (value >= 1) return `${Number(value.toFixed(2))}×`;
  return `${Number(value.toPrecision(2))}×`;
}

export function ratioChart(spec: ChartSpec): string {
  const values = spec.groups.flatMap((g) =>
    g.rows.flatMap((r) => r.bars.flatMap((b) => (b === undefined ? [] : [b.median, b.min, b.max]))),
  );
  const domain = ratioDomain(values);
  const x = (v: number) => logPosition(v, domain, PLOT_LEFT, PLOT_RIGHT);
  const seriesCount = Math.max(1, spec.series.length);
  const rowHeight = seriesCount * BAR_HEIGHT + ROW_GAP;

  const parts: string[] = [];
  let y = 24;
  parts.push(text({ x: 16, y, 'font-size': 16, 'font-weight': 'bold' }, spec.title));
  for (const line of spec.subtitle) {
    y += 16;
    parts.push(text({ x: 16, y, fill: '#444444' }, line));
  }
  y += 20;
  spec.series.forEach((name, i) => {
    const lx = 16 + i * 260;
    parts.push(element('rect', { x: lx, y: y - 9, width: 18, height: 9, fill: COLOURS[i % COLOURS.length] }));
    parts.push(text({ x: lx + 24, y }, name));
  });
  y += 14;

  const plotTop = y;
  for (const group of spec.groups) {
    y += GROUP_HEADER;
    parts.push(text({ x: 16, y: y - 8, 'font-weight': 'bold' }, group.title));
    for (const row of group.rows) {
      parts.push(
        text({ x: LABEL_WIDTH, y: y + (seriesCount * BAR_HEIGHT) / 2 + 4, 'text-anchor': 'end' }, row.label),
      );
      row.bars.forEach((bar, i) => {
        const top = y + i * BAR_HEIGHT;
        const colour = COLOURS[i % COLOURS.length] as string;
        if (bar === undefined) {
          parts.push(
            text({ x: x(1) + 4, y: top + BAR_HEIGHT - 1, 'font-size': 9, fill: '#888888' }, 'not compared'),
          );
          return;
        }
        const from = Math.min(x(1), x(bar.median));
        const width = Math.max(1, Math.abs(x(bar.median) - x(1)));
        parts.push(element('rect', { x: from, y: top, width, height: BAR_HEIGHT - 1, fill: colour }));
        const mid = top + (BAR_HEIGHT - 1) / 2;
        parts.push(
          element('line', {
            x1: x(bar.min),
            x2: x(bar.max),
            y1: mid,
            y2: mid,
            stroke: '#111111',
            'stroke-width': 1,
          }),
        );
        const right = bar.median >= 1;
        parts.push(
          text(
            {
              x: right ? Math.max(x(bar.median), x(bar.max)) + 4 : Math.min(x(bar.median), x(bar.min)) - 4,
              y: top + BAR_HEIGHT - 1,
              'font-size': 9,
              'text-anchor': right ? 'start' : 'end',
            },
            formatTimes(bar.median),
          ),
        );
      });
      y += rowHeight;
    }
  }
  const plotBottom = y + 4;

  // The axis: grid lines and labels at 1, 2, 5 × 10^n, the 1× line in black.
  const axis: string[] = [];
  for (const t of ticks(domain)) {
    const tx = x(t);
    const one = t === 1;
    axis.push(
      element('line', {
        x1: tx,
        x2: tx,
        y1: plotTop,
        y2: plotBottom,
        stroke: one ? '#000000' : '#dddddd',
        'stroke-width': one ? 1.5 : 1,
      }),
      text({ x: tx, y: plotBottom + 14, 'text-anchor': 'middle', 'font-size': 10 }, formatTimes(t)),
    );
  }
  const height = plotBottom + 30;
  return svgDocument(WIDTH, height, ...axis, ...parts);
}
