import { ReplayWindow, type StoredSession, toBase64Url } from '@cipherlayer/core';
import { RedisSessionStore } from '@cipherlayer/redis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRecord, storeKey } from './helpers/records.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

/**
 * The Lua window must be core's ReplayWindow, not merely similar: for any
 * size and any counter sequence, the same verdict at every step and, at the
 * end, the same serialized state (highest and the ring's bytes).
 */
let scope: RedisScope;
let store: RedisSessionStore;
beforeAll(async () => {
  scope = await redisScope();
  store = new RedisSessionStore(scope.client, { prefix: scope.prefix, encryptionKey: storeKey() });
});
afterAll(async () => {
  await scope?.close();
});

async function freshSession(size: number): Promise<{ session: StoredSession; key: string }> {
  const record = sessionRecord();
  await store.save(record, size);
  const session = await store.load(record.material.sessionId);
  if (session === undefined || session === 'revoked') throw new Error('session not loaded');
  return { session, key: `${scope.prefix}session:{${toBase64Url(record.material.sessionId)}}` };
}

async function redisState(key: string) {
  const [highest, size, window] = await scope.client.hmgetBuffer(key, 'highest', 'size', 'window');
  return { highest: Number(String(highest)), size: Number(String(size)), bits: toBase64Url(window!) };
}

const sizes = fc.constantFrom(64, 96, 128, 160, 224, 512, 1024, 4096);

type Move = { relative: number } | { edge: number; offset: number } | { absolute: number };

/**
 * Moves from the last counter (mostly near it, sometimes far), and moves to
 * the edges of the window (highest - size, highest, highest + size, give or
 * take a few), where an off-by-one in the ring or the slide would show.
 */
const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -40, max: 40 }).map((d) => ({ relative: d })) },
  { weight: 2, arbitrary: fc.integer({ min: -300, max: 300 }).map((d) => ({ relative: d })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ edge: fc.constantFrom(-1, 0, 1), offset: fc.integer({ min: -3, max: 3 }) })
      .map(({ edge, offset }) => ({ edge, offset })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 4000, max: 10_000 }).map((d) => ({ relative: d })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => ({ absolute: n })) },
);

function nextCounter(m: Move, last: number, model: ReplayWindow): number {
  if ('absolute' in m) return m.absolute;
  if ('edge' in m) return Math.max(0, model.highest + m.edge * model.size + m.offset);
  return Math.max(0, last + m.relative);
}

describe('the Lua replay window is core ReplayWindow', () => {
  it('same verdicts step by step and the same final state, on random counter sequences', async () => {
    await fc.assert(
      fc.asyncProperty(sizes, fc.array(move, { minLength: 1, maxLength: 80 }), async (size, moves) => {
        const model = new ReplayWindow(size);
        const { session, key } = await freshSession(size);
        let counter = 0;
        for (const m of moves) {
          counter = nextCounter(m, counter, model);
          const expected = model.accept(counter);
          expect(await session.acceptCounter(counter)).toBe(expected);
        }
        expect(await redisState(key)).toEqual(model.toState());
      }),
      { numRuns: 200 },
    );
  });

  it('stays exact for counters up to 2^53 - 1 (Lua numbers are doubles)', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    await fc.assert(
      fc.asyncProperty(
        sizes,
        fc.integer({ min: top - 20_000, max: top - 10_000 }),
        fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 1, maxLength: 40 }),
        async (size, start, steps) => {
          const model = new ReplayWindow(size);
          const { session, key } = await freshSession(size);
          let counter = start;
          for (const step of steps) {
            counter = Math.min(top, counter + step);
            expect(await session.acceptCounter(counter)).toBe(model.accept(counter));
          }
          expect(await redisState(key)).toEqual(model.toState());
        },
      ),
      { numRuns: 40 },
    );
  });

  it('matches at the edges: first message, exact window width, wrap of the ring', async () => {
    for (const size of [64, 96, 4096]) {
      const model = new ReplayWindow(size);
      const { session, key } = await freshSession(size);
      const sequence = [
        0,
        size - 1,
        size,
        0,
        1,
        size + 1,
        2 * size,
        size,
        size + 1,
        3 * size + 5,
        2 * size + 6,
      ];
      // c, then the top of its window, then a slide over c's position: c + size must be fresh.
      sequence.push(4 * size, 5 * size - 1, 5 * size + 5, 5 * size);
      for (const counter of sequence)
        expect(await session.acceptCounter(counter)).toBe(model.accept(counter));
      expect(await redisState(key)).toEqual(model.toState());
    }
  });
});
