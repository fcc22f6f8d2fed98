import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayWindow, type ReplayWindowState, type WindowVerdict } from '../src/cl1/replay-window.js';
import { toBase64Url } from '../src/lib/bytes.js';
import { CipherlayerError } from '../src/lib/errors.js';

/**
 * The anti-replay window of a session: a counter is accepted once, if it is
 * newer than `highest - size` (RFC 4303 section 3.4.3). The reference model
 * below says the same thing with a Set and no bit tricks.
 */
class ReferenceWindow {
  readonly #seen = new Set<number>();
  #highest = -1;

  constructor(readonly size: number) {}

  verdict(counter: number): WindowVerdict {
    if (counter <= this.#highest - this.size) return 'too-old';
    return this.#seen.has(counter) ? 'replayed' : 'fresh';
  }

  accept(counter: number): WindowVerdict {
    const verdict = this.verdict(counter);
    if (verdict !== 'fresh') return verdict;
    this.#seen.add(counter);
    this.#highest = Math.max(this.#highest, counter);
    return 'fresh';
  }

  get highest(): number {
    return this.#highest;
  }
}

const acceptAll = (window: ReplayWindow, counters: readonly number[]) =>
  counters.map((c) => window.accept(c));

describe('ReplayWindow', () => {
  it('accepts counters in order, once each', () => {
    const window = new ReplayWindow(64);
    expect(window.highest).toBe(-1);
    for (let c = 0; c < 300; c++) {
      expect(window.check(c)).toBe('fresh');
      expect(window.accept(c)).toBe('fresh');
      expect(window.highest).toBe(c);
      expect(window.accept(c)).toBe('replayed');
    }
  });

  it('accepts counters out of order within the window, and each only once', () => {
    const window = new ReplayWindow(64);
    expect(window.accept(40)).toBe('fresh');
    expect(acceptAll(window, [3, 39, 0, 17])).toEqual(['fresh', 'fresh', 'fresh', 'fresh']);
    expect(acceptAll(window, [3, 39, 0, 17, 40])).toEqual([
      'replayed',
      'replayed',
      'replayed',
      'replayed',
      'replayed',
    ]);
    expect(window.highest).toBe(40);
    // The gaps stay open.
    expect(window.accept(1)).toBe('fresh');
    expect(window.accept(38)).toBe('fresh');
  });

  it('check never changes the state', () => {
    const window = new ReplayWindow(64);
    window.accept(100);
    const before = window.toState();
    expect(window.check(101)).toBe('fresh');
    expect(window.check(60)).toBe('fresh');
    expect(window.check(100)).toBe('replayed');
    expect(window.check(36)).toBe('too-old');
    expect(window.toState()).toEqual(before);
  });

  it.each([64, 128, 1024])(
    'edge of a window of %i: highest - size + 1 is in, highest - size is out',
    (size) => {
      const window = new ReplayWindow(size);
      const top = 5000;
      window.accept(top);
      expect(window.check(top - size)).toBe('too-old');
      expect(window.accept(top - size)).toBe('too-old');
      expect(window.accept(top - size + 1)).toBe('fresh');
      expect(window.accept(top - size + 1)).toBe('replayed');
      // Sliding by one pushes the oldest accepted counter out.
      expect(window.accept(top + 1)).toBe('fresh');
      expect(window.accept(top - size + 1)).toBe('too-old');
      expect(window.accept(top - size + 2)).toBe('fresh');
    },
  );

  it('rejects counters beyond the window as too old, even ones never seen', () => {
    const window = new ReplayWindow(128);
    window.accept(1000);
    for (const c of [0, 1, 500, 871, 872]) expect(window.accept(c)).toBe('too-old');
    expect(window.accept(873)).toBe('fresh');
  });

  it('a jump larger than the window clears every old bit', () => {
    const size = 64;
    const window = new ReplayWindow(size);
    for (let c = 0; c < size; c++) window.accept(c);
    // Counter 10 * size + 5 lands on ring positions already used by 0..63.
    const top = 10 * size + 5;
    expect(window.accept(top)).toBe('fresh');
    for (let c = top - size + 1; c < top; c++) expect(window.check(c)).toBe('fresh');
    expect(window.check(top)).toBe('replayed');
    // A jump of exactly `size` clears the ring as well.
    const exact = new ReplayWindow(size);
    for (let c = 0; c < size; c++) exact.accept(c);
    exact.accept(2 * size - 1);
    for (let c = size; c < 2 * size - 1; c++) expect(exact.check(c)).toBe('fresh');
  });

  it('a jump smaller than the window keeps the bits still inside it', () => {
    const window = new ReplayWindow(64);
    for (const c of [10, 20, 30]) window.accept(c);
    window.accept(80); // window now (16, 80]
    expect(window.check(10)).toBe('too-old');
    expect(window.check(20)).toBe('replayed');
    expect(window.check(30)).toBe('replayed');
    expect(window.check(74)).toBe('fresh'); // same ring position as 10: cleared by the slide
  });

  it('works with counters near 2^53', () => {
    const window = new ReplayWindow(64);
    const top = Number.MAX_SAFE_INTEGER;
    expect(window.accept(top - 3)).toBe('fresh');
    expect(window.accept(top)).toBe('fresh');
    expect(window.accept(top - 3)).toBe('replayed');
    expect(window.accept(top - 1)).toBe('fresh');
    expect(window.accept(top - 64)).toBe('too-old');
  });

  it('survives toState / fromState mid-stream with the same behaviour', () => {
    const window = new ReplayWindow(128);
    acceptAll(window, [0, 1, 5, 9, 200, 150, 199, 73]);
    const state = window.toState();
    expect(state).toEqual({ highest: 200, size: 128, bits: expect.any(String) });
    // The state is a plain value a store can keep as JSON.
    const restored = ReplayWindow.fromState(JSON.parse(JSON.stringify(state)) as ReplayWindowState);
    expect(restored.highest).toBe(200);
    expect(restored.size).toBe(128);
    expect(restored.toState()).toEqual(state);
    const probe = [200, 150, 199, 73, 72, 201, 100, 0, 9, 150, 330];
    const expected = [
      'replayed',
      'replayed',
      'replayed',
      'replayed',
      'too-old',
      'fresh',
      'fresh',
      'too-old',
      'too-old',
      'replayed',
      'fresh',
    ];
    expect(acceptAll(restored, probe)).toEqual(expected);
    expect(acceptAll(window, probe)).toEqual(expected);
    expect(restored.toState()).toEqual(window.toState());
  });

  it('a fresh window round-trips too', () => {
    const restored = ReplayWindow.fromState(new ReplayWindow(64).toState());
    expect(restored.highest).toBe(-1);
    expect(restored.accept(0)).toBe('fresh');
  });

  it.each([0, 32, 63, 65, 100, 4097, 4128, 8192, -64, 64.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects window size %s',
    (size) => {
      expect(() => new ReplayWindow(size)).toThrow(CipherlayerError);
      expect(() => new ReplayWindow(size)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    },
  );

  it.each([64, 96, 128, 4064, 4096])('accepts window size %i', (size) => {
    expect(new ReplayWindow(size).size).toBe(size);
  });

  it('rejects a stored state that does not describe a window', () => {
    const good = new ReplayWindow(64).toState();
    const bad: ReplayWindowState[] = [
      { ...good, highest: -2 },
      { ...good, highest: 1.5 },
      { ...good, highest: Number.NaN },
      { ...good, highest: 2 ** 53 },
      { ...good, size: 128 },
      { ...good, bits: toBase64Url(new Uint8Array(7)) },
      { ...good, bits: `${good.bits}=` },
      { ...good, bits: good.bits.replace(/.$/, 'B') }, // non-canonical trailing bits
      { ...good, bits: '!!!!' },
    ];
    for (const state of bad) {
      expect(() => ReplayWindow.fromState(state), JSON.stringify(state)).toThrow(CipherlayerError);
    }
    // A consistent state with an invalid size is a configuration error, not a crash.
    const odd = { highest: 3, size: 40, bits: toBase64Url(new Uint8Array(5)) };
    expect(() => ReplayWindow.fromState(odd)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
  });
});

/**
 * Counter sequences a session sees: mostly forward, some late arrivals and
 * replays within a few window widths, and occasional jumps far ahead.
 */
function counterSequence(size: number) {
  const step = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 3 }).map((d) => ({ kind: 'ahead', d }) as const) },
    {
      weight: 4,
      arbitrary: fc.integer({ min: 0, max: 2 * size }).map((d) => ({ kind: 'back', d }) as const),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: size - 2, max: 4 * size }).map((d) => ({ kind: 'ahead', d }) as const),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'restore', d: 0 } as const) },
  );
  return fc.array(step, { minLength: 1, maxLength: 400 });
}

describe('ReplayWindow against a reference model', () => {
  it.each([64, 128, 1024])('agrees with a Set-and-highest model (size %i)', (size) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), counterSequence(size), (start, steps) => {
        let window = new ReplayWindow(size);
        const model = new ReferenceWindow(size);
        let last = start;
        for (const step of steps) {
          if (step.kind === 'restore') {
            // A store round trip in the middle of the stream changes nothing.
            window = ReplayWindow.fromState(window.toState());
            continue;
          }
          const counter = step.kind === 'ahead' ? last + step.d : Math.max(0, last - step.d);
          const expected = model.accept(counter);
          expect(window.check(counter)).toBe(expected);
          expect(window.accept(counter)).toBe(expected);
          expect(window.highest).toBe(model.highest);
          last = step.kind === 'ahead' ? counter : last;
        }
        // Every counter around the window agrees afterwards too, not only those asked.
        for (let c = Math.max(0, model.highest - size - 2); c <= model.highest + 2; c++) {
          expect(window.check(c)).toBe(model.verdict(c));
        }
      }),
      { numRuns: size === 1024 ? 60 : 150 },
    );
  });
});
