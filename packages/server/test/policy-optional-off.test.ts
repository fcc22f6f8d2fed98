import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness } from './helpers/harness.js';

/**
 * `optional`: plaintext reaches the app and is answered in the clear, cl1 is
 * opened and sealed. `off`: cipherlayer does nothing, a cl1 message reaches
 * the app as it came.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness(name);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('optional: a plaintext request gets a plaintext answer that varies on Cipherlayer', async () => {
    const response = await harness.send({ method: 'GET', target: '/api/public' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ public: true });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers.vary).toContain('Cipherlayer');
    expect(harness.seen.at(-1)?.exchange).toBeUndefined();
  });

  it('optional: a cl1 request is opened and its answer sealed', async () => {
    const out = await client.call({ method: 'GET', target: '/api/public', session: false });
    expect(out.json()).toEqual({ public: true });
    expect(out.response.headers['content-type']).toBe('application/cipherlayer');
    expect(harness.seen.at(-1)?.exchange?.kind).toBe('stateless');
  });

  it('optional: a broken cl1 request is still refused, never passed on', async () => {
    const response = await harness.send({
      method: 'GET',
      target: '/api/public',
      headers: { cipherlayer: 'not-a-message' },
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.code).toBe('ERR_MALFORMED');
  });

  it('off: a cl1 message reaches the app unopened, and the answer is not sealed', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/raw',
      json: { to: 'DE89' },
      session: false,
    });
    const response = await harness.send(built.request);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({
      contentType: 'application/cipherlayer',
      length: (built.request.body as Uint8Array).length,
    });
    expect(response.headers['cache-control']).not.toBe('no-store');
    expect(harness.seen.at(-1)?.exchange).toBeUndefined();
  });
});
