import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { afterEach, expect, it } from 'vitest';
import { DISCOVERY_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, json, keyIdOf } from './helpers/wire.js';

/** The server changes keys; the client reloads discovery once and carries on. */
let server: ServerDouble;
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';
const key = (keyId: number, validity: { notBefore?: number; notAfter?: number } = {}) =>
  runFlow(nodeBackend, generateServerKey({ keyId, ...validity }));
const routeKeyIds = () => server.exchanges.filter((e) => e.target === ROUTE).map((e) => keyIdOf(e.body));

it('old key removed: ERR_UNKNOWN_KEY, one reload, the request succeeds under the new key', async () => {
  server = await ServerDouble.start({ keys: new ServerKeySet([key(1)]) });
  const client = clientFor(server, { mode: 'stateless' });
  await client(ROUTE, json({ n: 1 }));

  server.protocol.setKeys(new ServerKeySet([key(2)]));
  expect((await client(ROUTE, json({ n: 2 }))).status).toBe(200);
  expect((await client(ROUTE, json({ n: 3 }))).status).toBe(200);
  expect(routeKeyIds()).toEqual([1, 1, 2, 2]);
  expect(server.count('GET', DISCOVERY_PATH)).toBe(2);
});

it('requests in flight when the key changes share one reload', async () => {
  server = await ServerDouble.start({ keys: new ServerKeySet([key(1)]) });
  const client = clientFor(server, { mode: 'stateless' });
  await client(ROUTE, json({ warmup: true }));
  server.protocol.setKeys(new ServerKeySet([key(2)]));

  const responses = await Promise.all(Array.from({ length: 8 }, (_, n) => client(ROUTE, json({ n }))));
  expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
  expect(server.count('GET', DISCOVERY_PATH)).toBe(2);
});

it('the chosen key expired by the client clock: reloads before sending, no request refused', async () => {
  let now = Date.now();
  const clock = () => now;
  const switchAt = now + 60_000;
  server = await ServerDouble.start({
    clock,
    keys: new ServerKeySet([key(1, { notAfter: switchAt }), key(2, { notBefore: switchAt })]),
  });
  const client = clientFor(server, { mode: 'stateless', clock });
  await client(ROUTE, json({ n: 1 }));
  now = switchAt + 1;
  await client(ROUTE, json({ n: 2 }));
  expect(routeKeyIds()).toEqual([1, 2]);
  expect(server.count('GET', DISCOVERY_PATH)).toBe(2);
  expect(server.exchanges.every((e) => e.response?.status === 200)).toBe(true);
});

it('keys shipped without a discovery URL: nothing to reload from, the ERR_UNKNOWN_KEY is reported', async () => {
  server = await ServerDouble.start({ keys: new ServerKeySet([key(1)]) });
  const client = clientFor(server, { mode: 'stateless', keys: await server.protocol.discovery() });
  await client(ROUTE, json({ n: 1 }));
  server.protocol.setKeys(new ServerKeySet([key(2)]));
  await expect(client(ROUTE, json({ n: 2 }))).rejects.toMatchObject({
    code: 'ERR_UNKNOWN_KEY',
    httpStatus: 422,
  });
  expect(server.count('GET', DISCOVERY_PATH)).toBe(0);
  expect(server.count('POST', ROUTE)).toBe(2);
});
