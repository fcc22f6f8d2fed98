import { describe, expect, it } from 'vitest';
import { MEMORY_LINE_PREFIX, parseSessionHeap, sessionMemory } from '../src/memory/figures.js';
import { renderSessionMemory } from '../src/memory/index.js';

// What the memory child prints, parsed, and the bytes per session worked out from it.

const sample = (heapUsed: number, external: number) => ({ heapUsed, external, arrayBuffers: 0, rss: 1e8 });
const figures = {
  sessions: 1000,
  stored: 1000,
  before: sample(5_000_000, 1_000_000),
  withSessions: sample(7_500_000, 1_200_000),
  withoutSessions: sample(5_500_000, 1_100_000),
};
const output = `warming up\n${MEMORY_LINE_PREFIX}${JSON.stringify(figures)}\n`;

describe('parseSessionHeap', () => {
  it('reads the last MEMORY line of the output', () => {
    expect(parseSessionHeap(output)).toEqual(figures);
    const twice = `${MEMORY_LINE_PREFIX}${JSON.stringify({ ...figures, sessions: 1 })}\n${output}`;
    expect(parseSessionHeap(twice).sessions).toBe(1000);
  });

  it('refuses output without the line, with a line that is not JSON, or without the figures', () => {
    expect(() => parseSessionHeap('nothing here')).toThrow(/no MEMORY line/);
    expect(() => parseSessionHeap(`${MEMORY_LINE_PREFIX}{oops`)).toThrow(/not JSON/);
    const without = (patch: object) => `${MEMORY_LINE_PREFIX}${JSON.stringify({ ...figures, ...patch })}`;
    expect(() => parseSessionHeap(without({ sessions: 0 }))).toThrow(/expected figures/);
    expect(() => parseSessionHeap(without({ stored: 'all' }))).toThrow(/expected figures/);
    expect(() => parseSessionHeap(without({ before: { heapUsed: 1 } }))).toThrow(/expected figures/);
    expect(() => parseSessionHeap(without({ withSessions: sample(-1, 0) }))).toThrow(/expected figures/);
    expect(() => parseSessionHeap(`${MEMORY_LINE_PREFIX}null`)).toThrow(/expected figures/);
  });
});

describe('sessionMemory', () => {
  it('counts what the store held (with − without) per session, heap and outside it, and the rest apart', () => {
    const m = sessionMemory(figures);
    expect(m.heapPerSession).toBe(2000);
    expect(m.externalPerSession).toBe(100);
    expect(m.totalPerSession).toBe(2100);
    expect(m.mibPer10k).toBeCloseTo((2100 * 10_000) / 2 ** 20);
    // (5.5M + 1.1M) − (5M + 1M) over 1000 handshakes.
    expect(m.replayCachePerHandshake).toBe(600);
    expect(m.complete).toBe(true);
    expect(sessionMemory({ ...figures, stored: 900 }).complete).toBe(false);
  });

  it('renders the figures per session and per 10,000 sessions', () => {
    const text = renderSessionMemory(sessionMemory(figures), 'Memory', 'memory');
    expect(text).toContain('| 1,000 | 1.95 KiB | 0.10 KiB | 2.05 KiB | **20.0 MiB** | 0.59 KiB |');
    expect(renderSessionMemory(sessionMemory({ ...figures, stored: 1 }), 'Memory', 'memory')).toContain(
      'some evicted',
    );
  });
});
