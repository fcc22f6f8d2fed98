import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS_END, DOCS_START, publishedFigures, replaceBetweenMarkers } from '../src/docs.js';

// The published figures in docs/benchmarks.md are replaced between two markers, and only there.

describe('replaceBetweenMarkers', () => {
  const page = `# Title\n\nintro\n\n${DOCS_START}\nold figures\n${DOCS_END}\n\nafter\n`;

  it('replaces what lies between the markers and keeps everything else', () => {
    const updated = replaceBetweenMarkers(page, '\n| new | figures |\n');
    expect(updated).toBe(`# Title\n\nintro\n\n${DOCS_START}\n| new | figures |\n${DOCS_END}\n\nafter\n`);
    // Idempotent: a second run replaces its own output.
    expect(replaceBetweenMarkers(updated, '| newer |')).toContain(`${DOCS_START}\n| newer |\n${DOCS_END}`);
  });

  it('refuses a page without both markers in order', () => {
    expect(() => replaceBetweenMarkers('# nothing', 'x')).toThrow(/markers/);
    expect(() => replaceBetweenMarkers(`${DOCS_END}\n${DOCS_START}`, 'x')).toThrow(/markers/);
  });

  it('finds the markers in docs/benchmarks.md', () => {
    const docs = readFileSync(new URL('../../docs/benchmarks.md', import.meta.url), 'utf8');
    expect(() => replaceBetweenMarkers(docs, 'figures')).not.toThrow();
  });
});

describe('publishedFigures', () => {
  const machine = {
    cpu: 'AMD EPYC',
    cores: 2,
    memoryGiB: 23.5,
    node: 'v20.20.2',
    os: 'linux x64',
    loadAverage: [0.5, 0.4, 0.3],
    date: '2026-11-23T00:00:00.000Z',
  };

  it('puts the machine, the chart, the ratio tables, the sections and the targets under the page heading', () => {
    const text = publishedFigures(
      machine,
      '## Ratios\n\nintro\n\n### HTTP, Fastify 5: cl1 ÷ each other\n',
      ['## Memory per 10k live sessions (`memory`)\n\n| a |'],
      '## Targets\n\nAll 3 targets met.\n',
    );
    expect(text).toContain(
      'on AMD EPYC, 2 cores, 23.5 GiB; linux x64; Node.js v20.20.2; load average at start 0.5 / 0.4 / 0.3',
    );
    expect(text).toContain('![Throughput ratios, log scale](../bench/results/latest.svg)');
    expect(text).not.toContain('## Ratios');
    expect(text).toContain('\n### HTTP, Fastify 5: cl1 ÷ each other');
    expect(text).toContain('\n### Memory per 10k live sessions');
    expect(text).toContain('\n### Targets\n');
    expect(replaceBetweenMarkers(`${DOCS_START}${DOCS_END}`, text)).toContain(text.trim());
  });
});
