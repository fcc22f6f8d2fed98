import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CipherlayerError, toBase64Url, toHex } from '@cipherlayer/core';
import type { Redis, RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedInstances } from './helpers/instances.js';
import {
  API_BINDING,
  clientFor,
  expectCode,
  HANDSHAKE_BINDING,
  handshake,
  serverKeys,
  sessionCall,
  statelessCall,
} from './helpers/protocol.js';
import { storeKey } from './helpers/records.js';
import { connectRedis, RedisProcess, uniquePrefix } from './helpers/redis.js';

/** With the README's client options a Redis that is down is noticed, not waited for. */
const FAIL_FAST_MS = 250;
/**
 * With ioredis defaults a command in flight when the connection drops is kept
 * for resending after the reconnection: only the store's deadline ends it.
 */
const DEFAULTS_TIMEOUT_MS = 300;
const SLACK_MS = 200;

let redis: RedisProcess;
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.close();
});

function deployment(prefix: string, options?: RedisOptions) {
  return {
    prefix,
    async connection() {
      const connection = await connectRedis(redis.port, options);
      connections.push(connection);
      return connection;
    },
  };
}

async function timed(action: () => unknown): Promise<{ error: CipherlayerError; ms: number }> {
  const started = performance.now();
  const error = await expectCode(action, 'ERR_STORE_UNAVAILABLE');
  return { error, ms: performance.now() - started };
}

async function eventually<T>(action: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

describe('Redis stopped mid-run', () => {
  it('fails every request closed with ERR_STORE_UNAVAILABLE at once, then recovers without a restart', async () => {
    // One instance with the README's client options, one with ioredis defaults (offline queue on).
    const prefix = uniquePrefix();
    const shared = { keys: serverKeys(), encryptionKey: storeKey() };
    const {
      instances: [a],
    } = await sharedInstances(deployment(prefix), 1, shared);
    const {
      instances: [b],
    } = await sharedInstances(deployment(prefix, {}), 1, {
      ...shared,
      timeoutMs: DEFAULTS_TIMEOUT_MS,
    });
    const servers = [a!, b!] as const;
    const bounds = [FAIL_FAST_MS, DEFAULTS_TIMEOUT_MS + SLACK_MS];

    const client = await clientFor(a!);
    const sessions = await Promise.all(servers.map((server) => handshake(client, server)));
    for (const [i, server] of servers.entries()) {
      expect(await sessionCall(sessions[i]!, server, 'before')).toEqual({ echo: 'before' });
      expect(await statelessCall(client, server, 'before')).toEqual({ echo: 'before' });
    }

    await redis.stop();

    for (const [i, server] of servers.entries()) {
      const session = sessions[i]!;
      const sessionMessage = (
        await session.sealRequest(API_BINDING, { contentType: 'text/plain', body: new Uint8Array(1) })
      ).message;
      const statelessMessage = (
        await client.sealRequest(API_BINDING, { contentType: 'text/plain', body: new Uint8Array(1) })
      ).message;
      const hello = await client.startHandshake(HANDSHAKE_BINDING);
      const failures = [
        await timed(() => server.openRequest(sessionMessage, API_BINDING)),
        await timed(() => server.openRequest(statelessMessage, API_BINDING)),
        await timed(() => server.handshake(hello.message, HANDSHAKE_BINDING)),
        await timed(() => server.sessions.bind(session.sessionId, { userId: 'u-1' })),
        await timed(() => server.revokeSession(session.sessionId)),
      ];
      for (const { error, ms } of failures) {
        expect(ms).toBeLessThan(bounds[i]!);
        expectNoSessionData(error, session.sessionId);
      }
    }

    await redis.restart();

    for (const [i, server] of servers.entries()) {
      // ioredis reconnects by itself; the same ServerProtocol serves again.
      expect(await eventually(() => statelessCall(client, server, 'after'), 5_000)).toEqual({
        echo: 'after',
      });
      // The restarted Redis kept nothing (no persistence here): the old session is unknown, a new one works.
      await expectCode(() => sessionCall(sessions[i]!, server, 'old session'), 'ERR_SESSION_UNKNOWN');
      const fresh = await handshake(client, server);
      expect(await sessionCall(fresh, server, 'after')).toEqual({ echo: 'after' });
      expect(await sessionCall(fresh, servers[1 - i]!, 'other instance')).toEqual({ echo: 'other instance' });
    }
  });
});

/** The error, its cause and everything they carry name no session and no key. */
function expectNoSessionData(error: CipherlayerError, sessionId: Uint8Array): void {
  expect(error.message).toBe('state store unavailable');
  expect(error.status).toBe(503);
  expect(JSON.stringify(error.toJSON())).toBe(
    '{"error":{"code":"ERR_STORE_UNAVAILABLE","message":"state store unavailable"}}',
  );
  const cause = error.cause as (Error & { command?: unknown }) | undefined;
  if (cause !== undefined) expect(cause.command).toBeUndefined();
  const everything = `${error.message} ${error.stack} ${cause?.message} ${cause?.stack} ${JSON.stringify(cause)}`;
  for (const form of [toBase64Url(sessionId), toHex(sessionId), Buffer.from(sessionId).toString('base64')])
    expect(everything).not.toContain(form);
}
