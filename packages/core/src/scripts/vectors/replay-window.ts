import { ReplayWindow } from '../../cl1/replay-window.js';
import type { ReplayWindowVector, WindowStep } from './types.js';

/**
 * Counter sequences chosen to reach every verdict: fresh, replayed inside
 * the window, too old (at and beyond the lower edge), and jumps of less and
 * more than a window width.
 */
const SEQUENCES: readonly { name: string; size: number; counters: readonly number[] }[] = [
  {
    name: 'smallest window (64)',
    size: 64,
    counters: [0, 0, 2, 1, 1, 63, 64, 0, 1, 2, 65, 3, 127, 128, 64, 200, 136, 137, 200, 1000, 937, 936],
  },
  {
    name: 'default window (128)',
    size: 128,
    counters: [5, 4, 3, 130, 3, 2, 131, 260, 133, 132, 5, 4294967295, 4294967168, 4294967167],
  },
];

export function replayWindowVectors(): ReplayWindowVector[] {
  return SEQUENCES.map(({ name, size, counters }) => {
    const window = new ReplayWindow(size);
    const initial = window.toState();
    const steps: WindowStep[] = counters.map((counter) => {
      const verdict = window.accept(counter);
      // The serialized state must restore to a window that behaves the same.
      const state = window.toState();
      const restored = ReplayWindow.fromState(state).toState();
      if (JSON.stringify(restored) !== JSON.stringify(state))
        throw new Error('vector self-check failed: window state');
      return { counter, verdict, state };
    });
    return { name, size, initial, steps };
  });
}
