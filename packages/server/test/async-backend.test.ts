import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { webCryptoBackend } from '@cipherlayer/core/webcrypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, BALANCE, type Harness, startHarness } from './helpers/harness.js';

/**
 * The engine on an asynchronous backend (Web Crypto, as on Bun, Deno or
 * workers): every adapter awaits opening and sealing where node:crypto
 * answers at once, with the same bytes on the wire.
 */
describe.each(ADAPTERS)('%s on Web Crypto', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    const key = await runFlow(webCryptoBackend, generateServerKey({ keyId: 4 }));
    harness = await startHarness(name, { backend: webCryptoBackend, keys: new ServerKeySet([key]) });
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('stateless and session round trips, handshake and logout', async () => {
    const post = await client.call({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      form: 'json',
      session: false,
    });
    expect(post.json()).toEqual({ ok: true, to: 'DE89' });
    await client.handshake('json');
    expect((await client.call({ method: 'GET', target: '/api/balance' })).json()).toEqual(BALANCE);
    const logout = await client.call({ method: 'DELETE', target: harness.engine.paths.session });
    expect(logout.status).toBe(200);
    const built = await client.build({ method: 'GET', target: '/api/balance' });
    expect((await harness.send(built.request)).status).toBe(401);
  });

  it('an answer over the limit still fails closed', async () => {
    const built = await client.build({
      method: 'GET',
      target: `/api/large?bytes=${2 * 1024 * 1024}`,
      session: false,
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(500);
  });
});
