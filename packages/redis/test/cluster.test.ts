import { CipherlayerError, toBase64Url } from '@cipherlayer/core';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisClusterProcesses } from './helpers/cluster.js';
import { sharedInstances } from './helpers/instances.js';
import {
  API_BINDING,
  clientFor,
  expectCode,
  handshake,
  json,
  sessionCall,
  statelessCall,
} from './helpers/protocol.js';
import { sessionRecord, storeKey } from './helpers/records.js';
import { uniquePrefix } from './helpers/redis.js';

let cluster: RedisClusterProcesses;
const clients: Cluster[] = [];
beforeAll(async () => {
  cluster = await RedisClusterProcesses.start(3);
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.close();
});

async function clusterClient(): Promise<Cluster> {
  const client = await cluster.client();
  clients.push(client);
  return client;
}

describe('Redis Cluster', () => {
  it('keeps a session in one slot, the slot of its id, and spreads sessions over the nodes', async () => {
    const client = await clusterClient();
    const prefix = uniquePrefix();
    const store = new RedisSessionStore(client, { prefix, encryptionKey: storeKey() });
    const nodesUsed = new Set<string>();
    const slotOwners = await client.cluster('SLOTS');
    for (let i = 0; i < 30; i++) {
      const record = sessionRecord();
      await store.save(record, 128);
      const key = `${prefix}session:{${toBase64Url(record.material.sessionId)}}`;
      const slot = await client.cluster('KEYSLOT', key);
      expect(slot).toBe(await client.cluster('KEYSLOT', toBase64Url(record.material.sessionId)));
      const owner = slotOwners.find(([from, to]) => slot >= from && slot <= to);
      nodesUsed.add(String(owner?.[2]?.[1]));
      // Every operation of the store works wherever the slot lives (EVALSHA is routed by its key).
      const loaded = await store.load(record.material.sessionId);
      if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
      expect(await loaded.acceptCounter(3)).toBe('fresh');
      expect(await loaded.acceptCounter(3)).toBe('replayed');
      expect(await store.bind(record.material.sessionId, { userId: `u-${i}` })).toBe(true);
      await store.revoke(record.material.sessionId);
      expect(await store.load(record.material.sessionId)).toBe('revoked');
    }
    expect(nodesUsed.size).toBeGreaterThan(1);
  });

  it('serves two instances on separate cluster connections, exactly one accepting a replayed message', async () => {
    const deployment = { prefix: uniquePrefix(), connection: clusterClient };
    const {
      instances: [a, b],
    } = await sharedInstances(deployment, 2);
    const client = await clientFor(a!);
    const session = await handshake(client, a!);
    for (let i = 0; i < 6; i++) {
      expect(await sessionCall(session, i % 2 ? a! : b!, i)).toEqual({ echo: i });
      expect(await statelessCall(client, i % 2 ? b! : a!, i)).toEqual({ echo: i });
    }
    for (let trial = 0; trial < 50; trial++) {
      const { message } = await session.sealRequest(API_BINDING, json(trial));
      const outcomes = await Promise.allSettled([
        a!.openRequest(message, API_BINDING),
        b!.openRequest(message, API_BINDING),
      ]);
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(CipherlayerError);
      expect(((rejected[0] as PromiseRejectedResult).reason as CipherlayerError).code).toBe('ERR_REPLAY');
    }
    const { message } = await client.sealRequest(API_BINDING, json('once'));
    await b!.openRequest(message, API_BINDING);
    await expectCode(() => a!.openRequest(message, API_BINDING), 'ERR_REPLAY');
  });

  it('the replay cache works across nodes', async () => {
    const cache = new RedisReplayCache(await clusterClient(), { prefix: uniquePrefix() });
    for (let i = 0; i < 20; i++) {
      expect(await cache.remember(`id-${i}`, Date.now() + 10_000)).toBe(true);
      expect(await cache.remember(`id-${i}`, Date.now() + 10_000)).toBe(false);
    }
  });
});
