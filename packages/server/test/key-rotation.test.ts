import { ServerKeySet } from '@cipherlayer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cipherlayerFetch, createCipherlayer } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness } from './helpers/harness.js';
import { ManualClock, serverKey } from './helpers/keys.js';

const HOUR = 3_600_000;

async function discoveredKeyIds(harness: Harness): Promise<string[]> {
  const response = await harness.send({ method: 'GET', target: '/.well-known/cipherlayer' });
  return JSON.parse(response.body.toString()).keys.map((key: { kid: string }) => key.kid);
}

/**
 * Rotation without a restart: setKeys installs a set with the new key; the
 * discovery document shows it at once, requests under the old key keep
 * opening until its notAfter, and sessions outlive the key they started with.
 */
describe.each(ADAPTERS)('%s', (name) => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const harness of open.splice(0)) await harness.close();
  });

  it('old-key requests work until notAfter; discovery shows the new key first', async () => {
    const clock = new ManualClock();
    const oldKey = serverKey({ keyId: 1, notAfter: clock.time + HOUR });
    const harness = await startHarness(name, {
      clock: clock.now,
      keys: new ServerKeySet([oldKey]),
      session: { ttlMs: 2 * HOUR },
    });
    open.push(harness);
    const oldClient = await TestClient.connect(harness, clock.now);
    await oldClient.handshake();
    expect(oldClient.protocol.key.keyId).toBe(1);

    clock.advance(HOUR / 2);
    const newKey = serverKey({ keyId: 2, notBefore: clock.time });
    harness.engine.setKeys(harness.engine.keys.withKey(newKey, clock.time));
    expect(await discoveredKeyIds(harness)).toEqual(['2', '1']);

    const newClient = await TestClient.connect(harness, clock.now);
    expect(newClient.protocol.key.keyId).toBe(2);
    const transfer = {
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
    } as const;
    expect((await newClient.call(transfer)).status).toBe(201);
    expect((await oldClient.call(transfer)).status).toBe(201);

    clock.advance(HOUR / 2);
    const late = await oldClient.build(transfer);
    const refused = await harness.send(late.request);
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.body.toString()).error.code).toBe('ERR_KEY_EXPIRED');
    expect(await discoveredKeyIds(harness)).toEqual(['2']);
    // The session made under the old key does not depend on it any more.
    expect((await oldClient.call({ method: 'GET', target: '/api/balance' })).status).toBe(200);
  });
});

describe('a key loader', () => {
  it('createCipherlayer awaits it, reloadKeys() installs what it returns next, a failed reload keeps the keys', async () => {
    let current = new ServerKeySet([serverKey({ keyId: 1 })]);
    let broken = false;
    const engine = await createCipherlayer<Request>({
      keys: async () => {
        if (broken) throw new Error('secret manager unreachable');
        return current;
      },
    });
    const fetch = cipherlayerFetch(engine, () => new Response('unused'));
    const kids = async () => {
      const response = await fetch(new Request('http://localhost/.well-known/cipherlayer'));
      return (await response.json()).keys.map((key: { kid: string }) => key.kid);
    };
    expect(await kids()).toEqual(['1']);
    current = current.withKey(serverKey({ keyId: 2 }), Date.now());
    await engine.reloadKeys();
    expect(await kids()).toEqual(['2', '1']);
    broken = true;
    await expect(engine.reloadKeys()).rejects.toThrow('secret manager unreachable');
    expect(await kids()).toEqual(['2', '1']);
  });

  it('reloadKeys without a loader, or a loader that returns something else, is a configuration error', async () => {
    const engine = createCipherlayer({ keys: new ServerKeySet([serverKey({ keyId: 1 })]) });
    await expect(engine.reloadKeys()).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    await expect(createCipherlayer({ keys: async () => ({}) as ServerKeySet })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    });
  });
});
