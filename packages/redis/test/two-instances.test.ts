import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedInstances } from './helpers/instances.js';
import { clientFor, handshake, sessionCall, statelessCall } from './helpers/protocol.js';
import { type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
beforeAll(async () => {
  scope = await redisScope();
});
afterAll(async () => {
  await scope?.close();
});

describe('two server instances sharing one Redis', () => {
  it('serve one client session that alternates between them', async () => {
    const {
      instances: [a, b],
    } = await sharedInstances(scope, 2);
    const client = await clientFor(a!);
    const session = await handshake(client, b!);
    for (let i = 0; i < 20; i++) {
      const server = i % 2 === 0 ? a! : b!;
      expect(await sessionCall(session, server, { i, amount: 10 * i })).toEqual({
        echo: { i, amount: 10 * i },
      });
    }
    expect(session.nextCounter).toBe(20);
  });

  it('serve stateless requests and handshakes at either instance', async () => {
    const {
      instances: [a, b],
    } = await sharedInstances(scope, 2);
    const client = await clientFor(b!);
    for (let i = 0; i < 6; i++) {
      expect(await statelessCall(client, i % 2 === 0 ? a! : b!, { i })).toEqual({ echo: { i } });
    }
    // Sessions made at one instance, used at the other, several at once.
    const sessions = await Promise.all([handshake(client, a!), handshake(client, b!), handshake(client, a!)]);
    for (const [index, session] of sessions.entries()) {
      expect(await sessionCall(session, index % 2 === 0 ? b! : a!, { index })).toEqual({ echo: { index } });
    }
  });
});
