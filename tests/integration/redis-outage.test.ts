import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CipherlayerServerError } from '@cipherlayer/client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RedisProcess } from '../../packages/redis/test/helpers/redis.js';
import { type RedisDeployment, startRedisDeployment } from './helpers/redis-deployment.js';
import { Trial } from './helpers/trial.js';

/**
 * Redis goes away under two running instances (Hono middleware and the
 * Fetch wrapper, on @hono/node-server) that share it: every request that
 * needs it is 503 ERR_STORE_UNAVAILABLE before the app runs, the client
 * reports it as such without retrying and without sending anything in the
 * clear, and when Redis is back (empty: it kept nothing) service returns
 * by itself, with neither the servers nor the client restarted. A frozen
 * Redis (connections open, nothing answered) fails the same way within the
 * stores' deadline. This Redis is the test's own redis-server on a free port.
 */
let redis: RedisProcess;
let deployment: RedisDeployment;
let trial: Trial | undefined;
beforeAll(async () => {
  redis = await RedisProcess.start();
  deployment = await startRedisDeployment(['hono', 'fetch'], redis.port);
});
afterEach(async () => {
  await trial?.close();
});
afterAll(async () => {
  await deployment?.close();
  await redis?.close();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function expectUnavailable(request: Promise<Response>): Promise<void> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CipherlayerServerError);
  expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', httpStatus: 503 });
}

it('503 ERR_STORE_UNAVAILABLE while Redis is down, then recovery without a restart', async () => {
  trial = await Trial.start(deployment);
  const { balancer, instances, connections } = deployment;
  const origins = instances.map((i) => i.origin);
  const session = trial.connect('session');
  const stateless = trial.connect('stateless', 'json');
  expect((await session('/api/transfer', trial.transfer())).status).toBe(201);
  expect((await stateless('/api/transfer', trial.transfer())).status).toBe(201);

  await redis.stop();
  await until(() => connections.every((c) => c.status !== 'ready'), 'the instances to lose Redis');
  const seen = instances.map((i) => i.seen.length);
  const from = balancer.forwarded.length;

  // Twice each, so that both instances answer every kind of request.
  for (let i = 0; i < 2; i++) {
    await expectUnavailable(session('/api/transfer', trial.transfer()));
    await expectUnavailable(stateless('/api/transfer', trial.transfer()));
    await expectUnavailable(trial.connect('session')('/api/balance', { headers: trial.headers }));
  }
  const down = balancer.forwarded.slice(from).filter((f) => f.target !== '/.well-known/cipherlayer');
  // One request per call (no retry), each a cl1 message, each refused: session request, stateless, handshake.
  expect(down.map((f) => f.status)).toEqual(Array(6).fill(503));
  expect(down.map((f) => f.target)).toEqual(
    Array(2).fill(['/api/transfer', '/api/transfer', '/.well-known/cipherlayer/session']).flat(),
  );
  expect(new Set(down.map((f) => f.instance))).toEqual(new Set([0, 1]));
  for (const f of down) {
    expect(f.headers['content-type']).toMatch(/^application\/cipherlayer/);
    expect(f.responseHeaders?.['content-type']).toBe('application/json');
  }
  expect(instances.map((i) => i.seen.length)).toEqual(seen);

  await redis.restart();
  await until(() => connections.every((c) => c.status === 'ready'), 'the instances to reconnect');
  const back = balancer.forwarded.length;
  const created = await session('/api/transfer', trial.transfer());
  expect(created.status).toBe(201);
  expect((await created.json()).confirmation).toBe(trial.server.confirmation);
  expect((await stateless('/api/transfer', trial.transfer())).status).toBe(201);
  // The restarted Redis kept no session: one ERR_SESSION_UNKNOWN, a new handshake, the request resent.
  const after = balancer.forwarded.slice(back);
  expect(after.map((f) => [f.target, f.status])).toEqual([
    ['/api/transfer', 401],
    ['/.well-known/cipherlayer/session', 200],
    ['/api/transfer', 201],
    ['/api/transfer', 201],
  ]);
  expect(instances.map((i) => i.origin)).toEqual(origins);

  trial.expectLogged('ERR_STORE_UNAVAILABLE');
  trial.expectLogged('ERR_SESSION_UNKNOWN');
  trial.expectNoLeaks();
});

it('a frozen Redis: 503 within the command deadline, and service back when it thaws', async () => {
  trial = await Trial.start(deployment);
  const { balancer, instances } = deployment;
  const session = trial.connect('session', 'json');
  const stateless = trial.connect('stateless');
  expect((await session('/api/transfer', trial.transfer())).status).toBe(201);
  expect((await stateless('/api/transfer', trial.transfer())).status).toBe(201);
  const seen = instances.map((i) => i.seen.length);

  redis.pause();
  try {
    for (const api of [session, stateless, session, stateless]) {
      const started = performance.now();
      await expectUnavailable(api('/api/transfer', trial.transfer()));
      // The README's ioredis options give up after 500 ms, well before the engine's 2 s deadline.
      expect(performance.now() - started).toBeLessThan(1_500);
    }
  } finally {
    redis.resume();
  }
  expect(instances.map((i) => i.seen.length)).toEqual(seen);

  const back = balancer.forwarded.length;
  expect((await session('/api/transfer', trial.transfer())).status).toBe(201);
  expect((await stateless('/api/transfer', trial.transfer())).status).toBe(201);
  // Redis kept everything this time: the same session goes on, no new handshake.
  expect(balancer.forwarded.slice(back).map((f) => [f.target, f.status])).toEqual([
    ['/api/transfer', 201],
    ['/api/transfer', 201],
  ]);
  trial.expectLogged('ERR_STORE_UNAVAILABLE');
  trial.expectNoLeaks();
});
