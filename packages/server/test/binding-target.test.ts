import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOf, TestClient } from './helpers/client.js';
import { ADAPTERS, BALANCE, type Harness, startHarness } from './helpers/harness.js';

/**
 * Behind a proxy that strips a path prefix, the client seals for the target
 * it sent (`/gateway/api/balance`) and the server receives `/api/balance`:
 * the `bindingTarget` hook gives the engine the client's target back.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness(name, { bindingPrefix: '/gateway' });
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('a request sealed for the target the client sent opens; one sealed for the rewritten target does not', async () => {
    const out = await client.call({
      method: 'GET',
      target: '/api/balance',
      session: false,
      bindTo: { method: 'GET', target: '/gateway/api/balance' },
    });
    expect(out.json()).toEqual(BALANCE);
    const rewritten = await client.build({ method: 'GET', target: '/api/balance', session: false });
    const response = await harness.send(rewritten.request);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.code).toBe('ERR_DECRYPT');
  });

  it('the handshake is bound the same way', async () => {
    const path = harness.engine.paths.session;
    const hello = await client.protocol.startHandshake({ method: 'POST', target: `/gateway${path}` });
    const response = await harness.send({
      method: 'POST',
      target: path,
      headers: { 'content-type': 'application/cipherlayer' },
      body: hello.message,
    });
    expect(response.status).toBe(200);
    client.session = await hello.finish(messageOf(response), 200);
    const out = await client.call({
      method: 'GET',
      target: '/api/balance',
      bindTo: { method: 'GET', target: '/gateway/api/balance' },
    });
    expect(out.json()).toEqual(BALANCE);
  });
});
