import type { SessionRecord } from '@cipherlayer/core';
import { RedisReplayCache, RedisSessionStore } from '@cipherlayer/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, handshake, serverInstance, serverKeys } from './helpers/protocol.js';
import { storeKey } from './helpers/records.js';
import { keysUnder, type RedisScope, redisScope } from './helpers/redis.js';

let scope: RedisScope;
beforeAll(async () => {
  scope = await redisScope();
});
afterAll(async () => {
  await scope?.close();
});

const ATTRIBUTES = { userId: 'user-4711-carol', ip: '203.0.113.77' };

/** Every byte Redis holds under a prefix: key names, hash fields and values, string values. */
async function rawContents(prefix: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const key of await keysUnder(scope.client, prefix)) {
    parts.push(Buffer.from(key));
    const type = await scope.client.type(key);
    if (type === 'hash') {
      for (const [field, value] of Object.entries(await scope.client.hgetallBuffer(key)))
        parts.push(Buffer.from(field), value);
    } else if (type === 'string') {
      parts.push((await scope.client.getBuffer(key))!);
    } else {
      throw new Error(`unexpected key type ${type}`);
    }
  }
  return Buffer.concat(parts);
}

/** The ways a secret could sit in Redis: raw bytes, hex, base64, base64url (both cases of hex). */
function forms(secret: Uint8Array | string): Buffer[] {
  if (typeof secret === 'string') return [Buffer.from(secret)];
  const bytes = Buffer.from(secret);
  return [
    bytes,
    Buffer.from(bytes.toString('hex')),
    Buffer.from(bytes.toString('hex').toUpperCase()),
    Buffer.from(bytes.toString('base64').replace(/=+$/, '')),
    Buffer.from(bytes.toString('base64url')),
  ];
}

function secretsOf(record: SessionRecord): (Uint8Array | string)[] {
  const { c2sKey, c2sIv, s2cKey, s2cIv } = record.material;
  return [c2sKey, c2sIv, s2cKey, s2cIv, ...Object.values(record.attributes)];
}

/** Runs real handshakes through a ServerProtocol and returns what the store holds for them. */
async function storeSessions(store: RedisSessionStore): Promise<SessionRecord[]> {
  const server = serverInstance(serverKeys(), {
    sessions: store,
    replayCache: new RedisReplayCache(scope.client, { prefix: `${scope.prefix}rc:` }),
  });
  const client = await clientFor(server);
  const records: SessionRecord[] = [];
  for (let i = 0; i < 5; i++) {
    const session = await handshake(client, server, ATTRIBUTES);
    const loaded = await store.load(session.sessionId);
    if (loaded === undefined || loaded === 'revoked') throw new Error('session not loaded');
    records.push(loaded.record);
  }
  return records;
}

describe('session secrets at rest', () => {
  it('are not readable in Redis: no key, IV or attribute value in any encoding', async () => {
    const prefix = `${scope.prefix}sealed:`;
    const records = await storeSessions(
      new RedisSessionStore(scope.client, { prefix, encryptionKey: storeKey() }),
    );
    const contents = await rawContents(prefix);
    expect(contents.length).toBeGreaterThan(0);
    for (const record of records)
      for (const secret of secretsOf(record))
        for (const form of forms(secret)) expect(contents.includes(form)).toBe(false);
  });

  it('are readable with the explicit opt-out (the scan above can see them)', async () => {
    const prefix = `${scope.prefix}clear:`;
    const records = await storeSessions(
      new RedisSessionStore(scope.client, { prefix, allowPlaintextSecrets: true }),
    );
    const contents = await rawContents(prefix);
    for (const record of records)
      for (const secret of secretsOf(record))
        expect(forms(secret).some((form) => contents.includes(form))).toBe(true);
  });
});
