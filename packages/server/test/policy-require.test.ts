import { toBase64Url, toJsonMessage } from '@cipherlayer/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness, type WireRequest } from './helpers/harness.js';

/**
 * A `require` route is never reached with plaintext, whatever the request
 * changes: content type, method, override headers, body, binding. Each
 * attempt gets its documented status and code, and no handler runs.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  let handled: number;
  beforeAll(async () => {
    harness = await startHarness(name);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    handled = harness.seen.length;
  });

  async function refused(request: WireRequest, status: number, code: string): Promise<void> {
    const response = await harness.send(request);
    expect(response.status).toBe(status);
    if (request.method !== 'HEAD') {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(response.body.toString('utf8')).error.code).toBe(code);
    }
    expect(harness.seen.length, 'a handler ran').toBe(handled);
  }

  const plaintext = (headers: Record<string, string>, body?: string): WireRequest => ({
    method: 'POST',
    target: '/api/transfer',
    headers,
    ...(body === undefined ? {} : { body }),
  });

  it('plaintext JSON', () =>
    refused(
      plaintext({ 'content-type': 'application/json' }, '{"to":"DE89","amount":1}'),
      415,
      'ERR_PLAINTEXT_REJECTED',
    ));

  it('a body without a content type', () =>
    refused(plaintext({}, '{"to":"DE89"}'), 415, 'ERR_PLAINTEXT_REJECTED'));

  it('text/plain', () =>
    refused(plaintext({ 'content-type': 'text/plain' }, 'to=DE89'), 415, 'ERR_PLAINTEXT_REJECTED'));

  it('an empty body, with no content type', () => refused(plaintext({}), 415, 'ERR_PLAINTEXT_REJECTED'));

  it('an empty body declared as a cl1 message', () =>
    refused(plaintext({ 'content-type': 'application/cipherlayer' }, ''), 400, 'ERR_MALFORMED'));

  it('a GET in the clear', () =>
    refused({ method: 'GET', target: '/api/balance' }, 415, 'ERR_PLAINTEXT_REJECTED'));

  it('a HEAD for a GET route, in the clear', () =>
    refused({ method: 'HEAD', target: '/api/balance' }, 415, 'ERR_PLAINTEXT_REJECTED'));

  it('a HEAD carrying a message (for GET, or for HEAD): its answer could not be sealed', async () => {
    for (const bindTo of [{ method: 'GET', target: '/api/balance' }, undefined]) {
      const built = await client.build({
        method: 'HEAD',
        target: '/api/balance',
        session: false,
        ...(bindTo ? { bindTo } : {}),
      });
      await refused(built.request, 400, 'ERR_MALFORMED');
    }
  });

  it('method override headers on a plaintext request', async () => {
    for (const header of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
      await refused(
        {
          method: 'POST',
          target: '/api/transfer',
          headers: { [header]: 'GET', 'content-type': 'application/json' },
          body: '{}',
        },
        415,
        'ERR_PLAINTEXT_REJECTED',
      );
    }
  });

  it('a message sealed for another method is not opened under an override header', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
      bindTo: { method: 'PUT', target: '/api/transfer' },
      headers: { 'x-http-method-override': 'PUT' },
    });
    await refused(built.request, 400, 'ERR_DECRYPT');
  });

  it('a message sealed for another route (path, or query)', async () => {
    const other = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
      bindTo: { method: 'POST', target: '/api/login' },
    });
    await refused(other.request, 400, 'ERR_DECRYPT');
    const query = await client.build({
      method: 'GET',
      target: '/api/balance?account=2',
      session: false,
      bindTo: { method: 'GET', target: '/api/balance?account=1' },
    });
    await refused(query.request, 400, 'ERR_DECRYPT');
  });

  it('a cl1 JSON envelope sent as application/json is refused, not opened', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      form: 'json',
      session: false,
    });
    const body = built.request.body as string;
    await refused(plaintext({ 'content-type': 'application/json' }, body), 415, 'ERR_PLAINTEXT_REJECTED');
    // It was not opened: had it been, its enc would now be in the replay cache and this would be a 409.
    const out = await harness.send(built.request);
    expect(out.status).toBe(201);
  });

  it('a message in the header and a body at once', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
    });
    const header = toBase64Url(built.request.body as Uint8Array);
    await refused(
      { ...built.request, headers: { ...built.request.headers, cipherlayer: header } },
      400,
      'ERR_MALFORMED',
    );
    await refused(
      {
        method: 'POST',
        target: '/api/transfer',
        headers: { cipherlayer: header, 'content-type': 'application/json' },
        body: '{}',
      },
      400,
      'ERR_MALFORMED',
    );
  });

  it('a handshake message sent to an application route', async () => {
    const { request } = await client.handshakeRequest();
    await refused({ ...request, target: '/api/transfer' }, 400, 'ERR_MALFORMED');
  });

  it('a JSON message whose members were swapped for the other encoding', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
    });
    const json = JSON.stringify(toJsonMessage(built.request.body as Uint8Array));
    await refused(plaintext({ 'content-type': 'application/cipherlayer' }, json), 400, 'ERR_MALFORMED');
  });

  it('media types are matched without case or parameters', async () => {
    const built = await client.build({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89' },
      session: false,
    });
    const response = await harness.send({
      ...built.request,
      headers: { 'content-type': 'Application/CipherLayer; v=1' },
    });
    expect(response.status).toBe(201);
  });
});
