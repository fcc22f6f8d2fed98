import type { CryptoBackend } from '../../lib/backend.js';
import { fromHex } from '../../lib/bytes.js';

/** One value a party takes from its random source, named by what it is for. */
export interface RandomDraw {
  readonly purpose: string;
  /** Hex. Its length is the number of bytes the party asks for. */
  readonly value: string;
}

export interface ScriptedBackend<B extends CryptoBackend> {
  readonly backend: B;
  /** Throws unless every scripted draw was taken. */
  assertDone(): void;
}

/**
 * Wraps a backend so that `randomBytes` answers from a script instead of the
 * system's generator: the draws in order, each checked for its length, and
 * an error on any draw beyond the script. Every other operation is the
 * wrapped backend's own, so vectors exercise the real primitives.
 */
export function scriptedBackend<B extends CryptoBackend>(
  base: B,
  draws: readonly RandomDraw[],
): ScriptedBackend<B> {
  let next = 0;
  const backend: B = {
    ...base,
    name: `${base.name} (scripted randomness)`,
    randomBytes(length: number): Uint8Array {
      const draw = draws[next];
      if (draw === undefined)
        throw new Error(`scripted randomness: unexpected draw #${next} of ${length} bytes`);
      const value = fromHex(draw.value);
      if (value.length !== length) {
        throw new Error(
          `scripted randomness: draw #${next} (${draw.purpose}) has ${value.length} bytes, asked ${length}`,
        );
      }
      next++;
      return value;
    },
  };
  return {
    backend,
    assertDone() {
      if (next !== draws.length)
        throw new Error(`scripted randomness: ${draws.length - next} draws left unused`);
    },
  };
}

/**
 * A backend whose random source repeats one byte: for receivers in negative
 * vectors, whose outcome (an error) does not depend on what they draw.
 */
export function constantRandomness<B extends CryptoBackend>(base: B, byte = 0x42): B {
  return {
    ...base,
    name: `${base.name} (constant randomness)`,
    randomBytes: (n: number) => new Uint8Array(n).fill(byte),
  };
}
