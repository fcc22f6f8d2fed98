import type { ChartGroup } from '../chart/ratio-chart.js';
import type { Spread } from '../measure.js';
import { RATIO_KINDS, type RatioKind, type RatioRow, rowLabel } from './ratios.js';
import type { HttpSuiteResult } from './report-http.js';

/** The ratio table of the HTTP suites, as Markdown and as the chart's groups. */

const KIND_TITLE: Record<RatioKind, string> = {
  'vs plaintext': 'each variant ÷ plaintext of the same request (what encryption costs)',
  'cl1 vs other': 'cl1 ÷ each other variant of the same request (above 1×, cl1 serves more)',
  'session creation':
    'session creation: rsa-session with its RSA pool ÷ without (one at a time: by req/s is the inverse latency ratio), and the cl1 handshake ÷ each (by server CPU only)',
};

function times(s: Spread | undefined): string {
  if (s === undefined) return '—';
  const f = (n: number) => (n < 0.1 ? n.toPrecision(2) : n < 10 ? n.toFixed(2) : n.toFixed(1));
  return `${f(s.median)}× [${f(s.min)}–${f(s.max)}]`;
}

function rowsOf(result: HttpSuiteResult, kind: RatioKind): RatioRow[] {
  return (result.ratios ?? []).filter((r) => r.kind === kind);
}

export function renderRatios(results: readonly HttpSuiteResult[]): string {
  const lines = [
    '## Ratios',
    '',
    'Throughput ratios A ÷ B between variants of the same suite and the same request, taken per round between runs moments apart, median [min–max] across rounds: ' +
      'in requests/s (what the load generator saw; it shares the 2 cores) and in requests per second of server CPU (B’s CPU per request ÷ A’s: the server’s own cost). ' +
      'Above 1×, A serves more. The same figures are drawn in `latest.svg`.',
    '',
  ];
  let any = false;
  for (const result of results) {
    for (const kind of RATIO_KINDS) {
      const rows = rowsOf(result, kind);
      if (rows.length === 0) continue;
      any = true;
      lines.push(
        `### ${result.suite.title}: ${KIND_TITLE[kind]}`,
        '',
        '| request | A ÷ B | by req/s | by server CPU |',
        '|---|---|---:|---:|',
        ...rows.map(
          (r) =>
            `| ${r.exchange} | ${rowLabel(r)}${r.kind === 'vs plaintext' ? ` ÷ ${r.versus}` : ''} | ${times(r.reqRatio)} | ${times(r.cpuRatio)} |`,
        ),
        '',
      );
    }
  }
  if (!any) lines.push('No ratios: no suite ran two comparable variants of the same request.', '');
  return lines.join('\n');
}

/** The chart's groups: one per suite and kind, one row per ratio, bars by req/s and by server CPU. */
export function ratioChartGroups(results: readonly HttpSuiteResult[]): ChartGroup[] {
  const groups: ChartGroup[] = [];
  for (const result of results) {
    for (const kind of RATIO_KINDS) {
      const rows = rowsOf(result, kind);
      if (rows.length === 0) continue;
      groups.push({
        title: `${result.suite.title}: ${KIND_TITLE[kind]}`,
        rows: rows.map((r) => ({ label: rowLabel(r), bars: [r.reqRatio, r.cpuRatio] })),
      });
    }
  }
  return groups;
}
