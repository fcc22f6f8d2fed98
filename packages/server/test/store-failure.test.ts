import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness, type WireRequest } from './helpers/harness.js';
import { type Failure, SwitchableStore } from './helpers/switchable-store.js';

/**
 * A store that throws, rejects or does not answer fails the request closed:
 * 503 ERR_STORE_UNAVAILABLE, the app never runs, nothing falls back to
 * memory or plaintext; and the next request after the store recovers works.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  let store: SwitchableStore;
  const logs: { fields: object; message: string }[] = [];
  const log = (fields: object, message: string) => logs.push({ fields, message });
  beforeAll(async () => {
    store = new SwitchableStore(Date.now);
    harness = await startHarness(name, {
      sessionStore: store,
      replayCache: store,
      storeTimeoutMs: 50,
      logger: { error: log, warn: log, info: log },
    });
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    store.recover();
    logs.length = 0;
  });

  async function expectUnavailable(request: WireRequest): Promise<void> {
    const handled = harness.seen.length;
    const response = await harness.send(request);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body.toString())).toEqual({
      error: { code: 'ERR_STORE_UNAVAILABLE', message: 'state store unavailable' },
    });
    expect(harness.seen.length, 'the app ran').toBe(handled);
    const line = logs.find((entry) => (entry.fields as { code?: string }).code === 'ERR_STORE_UNAVAILABLE');
    expect(line?.fields).toMatchObject({ status: 503 });
    expect(JSON.stringify(logs)).not.toContain('c2VjcmV0');
  }

  it.each(['throw', 'reject', 'hang'] as Failure[])('replay cache: %s, then recovery', async (failure) => {
    store.fail(failure, 'remember');
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
    });
    await expectUnavailable(built.request);
    store.recover();
    const out = await client.call({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
    });
    expect(out.status).toBe(201);
  });

  it.each(['throw', 'reject', 'hang'] as Failure[])(
    'handshake: session store %s, then recovery',
    async (failure) => {
      store.fail(failure, 'save');
      const { request } = await client.handshakeRequest();
      await expectUnavailable(request);
      store.recover();
      await client.handshake();
      expect((await client.call({ method: 'GET', target: '/api/balance' })).status).toBe(200);
    },
  );

  it.each(['throw', 'reject', 'hang'] as Failure[])(
    'session request: load %s, then recovery',
    async (failure) => {
      await client.handshake();
      store.fail(failure, 'load');
      const built = await client.build({ method: 'GET', target: '/api/balance' });
      await expectUnavailable(built.request);
      store.recover();
      expect((await client.call({ method: 'GET', target: '/api/balance' })).status).toBe(200);
    },
  );

  it('session request: the counter check fails after a good load and decryption', async () => {
    await client.handshake();
    store.fail('reject', 'accept');
    const built = await client.build({ method: 'GET', target: '/api/balance' });
    await expectUnavailable(built.request);
    expect(store.calls.at(-1)).toBe('accept');
    store.recover();
    expect((await client.call({ method: 'GET', target: '/api/balance' })).status).toBe(200);
  });

  it('logout: revocation fails closed too', async () => {
    await client.handshake();
    store.fail('throw', 'revoke');
    const built = await client.build({ method: 'DELETE', target: harness.engine.paths.session });
    const response = await harness.send(built.request);
    expect(response.status).toBe(503);
  });
});
