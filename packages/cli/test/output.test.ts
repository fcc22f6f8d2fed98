import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../src/lib/output.js';
import { formatDuration, Progress } from '../src/lib/progress.js';
import { classifyError } from '../src/lib/report-error.js';

function stream(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean };
  s.isTTY = isTTY;
  let text = '';
  s.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { s, text: () => text };
}

describe('colours', () => {
  it('only on a terminal, and never with NO_COLOR or TERM=dumb', () => {
    for (const [tty, env, coloured] of [
      [true, {}, true],
      [true, { NO_COLOR: '1' }, false],
      [true, { NO_COLOR: '' }, false],
      [true, { TERM: 'dumb' }, false],
      [false, {}, false],
    ] as const) {
      const out = stream(tty);
      const err = stream(tty);
      const output = new Output({ stdout: out.s, stderr: err.s }, env, false);
      output.line(output.style('green', 'ok'));
      output.warn('careful');
      expect(out.text().includes('\u001b[')).toBe(coloured);
      expect(err.text().includes('\u001b[')).toBe(coloured);
    }
  });
});

describe('progress', () => {
  it('redraws one line with a bar on a terminal', () => {
    let written = '';
    let now = 0;
    const progress = new Progress((t) => (written += t), { terminal: true, clock: () => now });
    progress.update({ phase: 'reencrypt', done: 0, total: 100, unit: 'rows' });
    now = 1000;
    progress.update({ phase: 'reencrypt', done: 50, total: 100, unit: 'rows' });
    now = 2000;
    progress.update({ phase: 'reencrypt', done: 100, total: 100, unit: 'rows' });
    progress.finish();
    expect(written).toContain(
      '\r\u001b[2Kreencrypt [############............] 50/100 rows (50.0%) 50 rows/s ETA 1s',
    );
    expect(written.endsWith('ETA 0s\n')).toBe(true);
    expect(written.split('\n')).toHaveLength(2);
  });

  it('prints plain lines elsewhere, at most one per interval, and the last', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new Progress((t) => lines.push(t), {
      terminal: false,
      intervalMs: 1000,
      clock: () => now,
    });
    for (let done = 0; done <= 100; done += 10) {
      progress.update({ phase: 'verify', done, total: 100, unit: 'rows' });
      now += 250;
    }
    expect(lines.length).toBe(4);
    expect(lines.at(-1)).toBe('verify    100/100 rows (100.0%) 40 rows/s ETA 0s\n');
    for (const line of lines)
      for (const mark of ['\r', '\u001b', '[#']) expect(line.includes(mark)).toBe(false);
  });

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(75), formatDuration(3725), formatDuration(Number.NaN)]).toEqual(
      ['5s', '1m15s', '1h02m', '?'],
    );
  });
});

describe('error classification', () => {
  it('maps errors to exit codes', () => {
    expect(
      classifyError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).exitCode,
    ).toBe(4);
    expect(classifyError(Object.assign(new Error('ENOENT: x'), { code: 'ENOENT' })).exitCode).toBe(3);
    expect(classifyError(new TypeError('boom'))).toEqual({
      exitCode: 70,
      message: 'internal error: boom (run again with --debug for the stack trace, and report it)',
    });
  });
});
