import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { generateServerKey, importServerKeySet, runFlow, ServerProtocol } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { clientFor, handshake, sessionCall, statelessCall } from './helpers/protocol.js';
import { deleteKeysUnder, uniquePrefix } from './helpers/redis.js';

describe('the README usage example', () => {
  it('runs as written (environment and key file filled in)', async () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      CIPHERLAYER_STORE_KEY: randomBytes(32).toString('base64'),
    };
    const privateKeySetDocument = {
      keys: [runFlow(nodeBackend, generateServerKey({ keyId: 1 })).toPrivateJwk()],
    };
    const warnings: string[] = [];
    const logger = { warn: (_fields: object, message: string) => warnings.push(message) };
    const prefix = uniquePrefix();

    // --- README, "Usage with ServerProtocol" (prefix added for the shared test Redis) ---
    const redis = new Redis(env.REDIS_URL, {
      enableOfflineQueue: false,
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection'));
    await once(redis, 'ready');

    const server = new ServerProtocol({
      backend: nodeBackend,
      keys: runFlow(nodeBackend, importServerKeySet(privateKeySetDocument)),
      sessions: new RedisSessionStore(redis, {
        prefix,
        encryptionKey: Buffer.from(env.CIPHERLAYER_STORE_KEY, 'base64'),
      }),
      replayCache: new RedisReplayCache(redis, { prefix }),
    });
    // --- end of the README example ---

    try {
      const client = await clientFor(server);
      expect(await statelessCall(client, server, 'hello')).toEqual({ echo: 'hello' });
      expect(await sessionCall(await handshake(client, server), server, 'hi')).toEqual({ echo: 'hi' });
      expect(warnings).toEqual([]);
    } finally {
      await deleteKeysUnder(redis, prefix);
      redis.disconnect();
    }
  });
});
