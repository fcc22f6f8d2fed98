import { CipherlayerError } from '@cipherlayer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedInstances } from './helpers/instances.js';
import { API_BINDING, clientFor, handshake, json } from './helpers/protocol.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
beforeAll(async () => {
  scope = await redisScope();
});
afterAll(async () => {
  await scope?.close();
});

const TRIALS = 300;

/** Half the time, start a little later (after pending I/O callbacks): both orders of arrival happen. */
const jitter = () =>
  new Promise<void>((resolve) => (Math.random() < 0.5 ? setImmediate(resolve) : resolve()));

/** Outcome of one open: 'accepted', or the error code. */
async function outcome(open: () => unknown): Promise<string> {
  await jitter();
  try {
    await open();
    return 'accepted';
  } catch (error) {
    if (error instanceof CipherlayerError) return error.code;
    throw error;
  }
}

describe('one message replayed at two instances at the same moment', () => {
  it('is accepted by exactly one of them, every time (session counters)', async () => {
    const {
      instances: [a, b],
    } = await sharedInstances(scope, 2);
    const session = await handshake(await clientFor(a!), a!);
    const wins = { a: 0, b: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const { message } = await session.sealRequest(API_BINDING, json({ trial }));
      // Both opens start in the same tick, on separate connections: the Lua script is the only arbiter.
      const results = await Promise.all([
        outcome(() => a!.openRequest(message, API_BINDING)),
        outcome(() => b!.openRequest(message, API_BINDING)),
      ]);
      // The loser got past the load and the AEAD: on the session path ERR_REPLAY comes only from the window.
      expect([...results].sort()).toEqual(['ERR_REPLAY', 'accepted']);
      if (results[0] === 'accepted') wins.a++;
      else wins.b++;
    }
    // Both orders of arrival happened: the race was real in both directions.
    expect(Math.min(wins.a, wins.b)).toBeGreaterThan(0);
    expect(session.nextCounter).toBe(TRIALS);
  });

  it('is accepted by exactly one of them, every time (stateless requests)', async () => {
    const {
      instances: [a, b],
    } = await sharedInstances(scope, 2);
    const client = await clientFor(a!);
    for (let trial = 0; trial < TRIALS / 3; trial++) {
      const { message } = await client.sealRequest(API_BINDING, json({ trial }));
      const results = await Promise.all([
        outcome(() => a!.openRequest(message, API_BINDING)),
        outcome(() => b!.openRequest(message, API_BINDING)),
      ]);
      expect(results.sort()).toEqual(['ERR_REPLAY', 'accepted']);
    }
  });
});
