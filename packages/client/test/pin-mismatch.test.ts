import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { afterEach, expect, it } from 'vitest';
import { DISCOVERY_PATH, ServerDouble } from './helpers/server-double.js';
import { clientFor, json, keyIdOf } from './helpers/wire.js';

/** Pins restrict the keys a client seals to; a document without a pinned key is refused, with no fallback. */
let server: ServerDouble;
afterEach(async () => {
  await server.close();
});

const ROUTE = '/api/transfer';
const key = (keyId: number) => runFlow(nodeBackend, generateServerKey({ keyId }));
const pinOf = async (set: ServerKeySet) =>
  (await runFlow(nodeBackend, set.discovery(Date.now()))).keys[0]!.pin;

it('no published key matches a pin: ERR_PIN_MISMATCH, and the route is never contacted', async () => {
  server = await ServerDouble.start({ keys: new ServerKeySet([key(1)]) });
  const client = clientFor(server, { mode: 'stateless', pins: [await pinOf(new ServerKeySet([key(9)]))] });
  await expect(client(ROUTE, json({ card: 'SECRET' }))).rejects.toMatchObject({
    name: 'CipherlayerError',
    code: 'ERR_PIN_MISMATCH',
  });
  // The failed load is not remembered as success: the next request checks a fresh document, and fails again.
  await expect(client(ROUTE, json({ card: 'SECRET' }))).rejects.toMatchObject({ code: 'ERR_PIN_MISMATCH' });
  expect(server.exchanges.map((e) => `${e.method} ${e.target}`)).toEqual([
    `GET ${DISCOVERY_PATH}`,
    `GET ${DISCOVERY_PATH}`,
  ]);
});

it('a pinned key works; after a rotation to an unpinned key the client refuses, never falling back', async () => {
  const pinned = new ServerKeySet([key(1)]);
  server = await ServerDouble.start({ keys: pinned });
  const client = clientFor(server, { mode: 'session', pins: [await pinOf(pinned)] });
  expect((await client(ROUTE, json({ n: 1 }))).status).toBe(200);

  await client.logout();
  server.protocol.setKeys(new ServerKeySet([key(2)]));
  await expect(client(ROUTE, json({ n: 2 }))).rejects.toMatchObject({ code: 'ERR_PIN_MISMATCH' });
  // Every handshake was sealed to the pinned key 1; nothing was ever sealed to key 2.
  const handshakes = server.exchanges.filter((e) => e.method === 'POST' && e.target.endsWith('/session'));
  expect(handshakes.map((e) => keyIdOf(e.body))).toEqual([1, 1]);
  expect(server.count('GET', DISCOVERY_PATH)).toBe(2);
});

it('pins of both keys during a rotation: the client moves to the new key', async () => {
  const oldKeys = new ServerKeySet([key(1)]);
  const newKeys = new ServerKeySet([key(2)]);
  server = await ServerDouble.start({ keys: oldKeys });
  const client = clientFor(server, { mode: 'stateless', pins: [await pinOf(oldKeys), await pinOf(newKeys)] });
  await client(ROUTE, json({ n: 1 }));
  server.protocol.setKeys(newKeys);
  expect((await client(ROUTE, json({ n: 2 }))).status).toBe(200);
  expect(server.exchanges.filter((e) => e.target === ROUTE).map((e) => keyIdOf(e.body))).toEqual([1, 1, 2]);
});
