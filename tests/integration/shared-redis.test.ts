import { createClient, type FetchFunction } from '@cipherlayer/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keysUnder } from '../../packages/redis/test/helpers/redis.js';
import { type RedisDeployment, startRedisDeployment } from './helpers/redis-deployment.js';
import type { Forwarded } from './helpers/round-robin.js';
import { Trial } from './helpers/trial.js';

/**
 * Two server instances (Express and Fastify: one deployment may mix them)
 * sharing the Redis on 127.0.0.1:6379 through @cipherlayer/redis, behind a
 * round-robin balancer, so that one client's consecutive requests land on
 * different instances. A session made at one works at the other; a message
 * accepted at one is a replay at the other; a logout at one revokes
 * everywhere; one message delivered to both at once is accepted once.
 */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** Sends a request the balancer forwarded, byte for byte, straight to one instance. */
async function replay(
  entry: Forwarded | undefined,
  origin: string,
): Promise<{ status: number; code: string }> {
  if (entry === undefined) throw new Error('nothing to replay');
  const headers = Object.entries(entry.headers).filter(([name]) => !HOP_BY_HOP.has(name));
  const response = await fetch(origin + entry.target, {
    method: entry.method,
    headers,
    ...(entry.body.length > 0 ? { body: new Uint8Array(entry.body) } : {}),
  });
  return { status: response.status, code: (await response.json()).error?.code };
}

let deployment: RedisDeployment;
let trial: Trial | undefined;
beforeAll(async () => {
  deployment = await startRedisDeployment(['express', 'fastify'], 6379);
});
afterEach(async () => {
  await trial?.close();
});
afterAll(async () => {
  await deployment?.close();
});

const instanceOf = (entries: readonly Forwarded[]) => entries.map((e) => e.instance);

describe.each(['binary', 'json'] as const)('%s encoding', (encoding) => {
  it('a session made at one instance works at the other; logout at one revokes it at both', async () => {
    const current = await Trial.start(deployment);
    trial = current;
    const { balancer, instances } = deployment;
    const from = balancer.forwarded.length;
    const api = trial.connect('session', encoding);

    for (let i = 0; i < 3; i++) {
      const created = await api('/api/transfer', trial.transfer());
      expect(created.status).toBe(201);
      expect((await created.json()).confirmation).toBe(trial.server.confirmation);
      expect(await (await api('/api/balance', { headers: trial.headers })).json()).toEqual({
        balance: trial.server.balance,
      });
    }
    const forwarded = balancer.forwarded.slice(from);
    const handshakes = forwarded.filter((f) => f.target === '/.well-known/cipherlayer/session');
    expect(handshakes).toHaveLength(1);
    const calls = forwarded.filter((f) => f.target.startsWith('/api/'));
    expect(calls.every((f) => f.status === 200 || f.status === 201)).toBe(true);
    // The session's requests reached both instances, whichever made it.
    expect(new Set(instanceOf(calls))).toEqual(new Set([0, 1]));
    expect(instances.map((i) => i.seen.length > 0)).toEqual([true, true]);
    expect(await keysUnder(deployment.connections[0]!, `${deployment.prefix}session:`)).not.toHaveLength(0);

    await api.logout();
    const kept = calls.filter((f) => f.method === 'GET').slice(-2);
    for (const origin of instances.map((i) => i.origin)) {
      expect(await replay(kept[0], origin)).toEqual({ status: 401, code: 'ERR_SESSION_REVOKED' });
    }
    trial.expectLogged('ERR_SESSION_REVOKED');
    trial.expectNoLeaks();
  });
});

it('stateless requests alternate between the instances', async () => {
  trial = await Trial.start(deployment);
  const from = deployment.balancer.forwarded.length;
  const api = trial.connect('stateless');
  for (let i = 0; i < 4; i++) expect((await api('/api/transfer', trial.transfer())).status).toBe(201);
  const calls = deployment.balancer.to('POST', '/api/transfer').filter((f) => f.status === 201);
  expect(new Set(instanceOf(calls))).toEqual(new Set([0, 1]));
  expect(deployment.balancer.forwarded.length - from).toBe(5); // discovery, then the four requests
  trial.expectNoLeaks();
});

it.each([
  ['stateless request', 'stateless', 'POST', '/api/transfer'],
  ['session request', 'session', 'POST', '/api/transfer'],
  ['handshake', 'session', 'POST', '/.well-known/cipherlayer/session'],
] as const)('a %s accepted at one instance is 409 ERR_REPLAY at the other', async (_, mode, method, path) => {
  trial = await Trial.start(deployment);
  const { balancer, instances } = deployment;
  const api = trial.connect(mode);
  expect((await api('/api/transfer', trial.transfer())).status).toBe(201);
  const accepted = balancer.to(method, path).at(-1);
  expect(accepted?.status).toBe(method === 'POST' && path === '/api/transfer' ? 201 : 200);
  const seen = instances.map((i) => i.seen.length);

  const other = instances[1 - (accepted?.instance ?? 0)]!.origin;
  const same = instances[accepted?.instance ?? 0]!.origin;
  expect(await replay(accepted, other)).toEqual({ status: 409, code: 'ERR_REPLAY' });
  expect(await replay(accepted, same)).toEqual({ status: 409, code: 'ERR_REPLAY' });
  expect(instances.map((i) => i.seen.length)).toEqual(seen);
  trial.expectLogged('ERR_REPLAY');
  trial.expectNoLeaks();
});

it.each(['stateless', 'session'] as const)(
  '%s: one message delivered to both instances at once is accepted exactly once',
  async (mode) => {
    const current = await Trial.start(deployment);
    trial = current;
    const { instances } = deployment;
    const statuses: number[] = [];
    // An intermediary that duplicates every API request to both instances at the same moment
    // (the handshake and discovery go through the balancer as usual).
    const duplicating: FetchFunction = async (input, init) => {
      const url = new URL(String(input));
      if (!url.pathname.startsWith('/api/')) return await current.sent.fetch(input, init);
      const answers = await Promise.all(
        instances.map((i) => current.sent.fetch(i.origin + url.pathname + url.search, init)),
      );
      statuses.push(...answers.map((a) => a.status));
      const winner = answers.find((a) => a.status < 300) ?? answers[0]!;
      for (const loser of answers.filter((a) => a !== winner)) await loser.body?.cancel();
      return winner;
    };
    const seen = instances.reduce((n, i) => n + i.seen.length, 0);
    const api = createClient({ baseUrl: current.tap.origin, mode, fetch: duplicating });
    for (let i = 0; i < 5; i++) expect((await api('/api/transfer', current.transfer())).status).toBe(201);
    expect([...statuses].sort()).toEqual([...Array(5).fill(201), ...Array(5).fill(409)]);
    expect(instances.reduce((n, i) => n + i.seen.length, 0)).toBe(seen + 5);
    current.expectNoLeaks();
  },
);
