import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, BALANCE, type Harness, startHarness } from './helpers/harness.js';

/**
 * Stateless cl1 through every adapter: the app sees the plaintext with its
 * own content type, and the answer is sealed in the request's encoding with
 * the response headers of spec/http.md.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness(name);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it.each(['binary', 'json'] as const)('POST with a %s body', async (form) => {
    const out = await client.call({
      method: 'POST',
      target: '/api/transfer',
      json: { to: 'DE89 3704 0044', amount: 125 },
      form,
      session: false,
    });
    expect(out.status).toBe(201);
    expect(out.contentType).toMatch(/^application\/json/);
    expect(out.json()).toEqual({ ok: true, to: 'DE89 3704 0044', amount: 125 });
    const { headers, body } = out.response;
    expect(headers['content-type']).toBe(
      form === 'json' ? 'application/cipherlayer+json' : 'application/cipherlayer',
    );
    expect(headers['cache-control']).toBe('no-store');
    expect(headers.vary).toContain('Cipherlayer, Content-Type');
    expect(headers.etag).toBeUndefined();
    expect(body.toString('latin1')).not.toContain('DE89');

    const seen = harness.seen.at(-1);
    expect(seen?.route).toBe('transfer');
    expect(seen?.body).toEqual({ to: 'DE89 3704 0044', amount: 125 });
    expect(seen?.contentType).toBe('application/json');
    expect(seen?.exchange?.kind).toBe('stateless');
    expect(seen?.exchange?.form).toBe(form);
    expect(seen?.exchange?.requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('GET with the Cipherlayer header: a binary answer', async () => {
    const out = await client.call({ method: 'GET', target: '/api/balance', session: false });
    expect(out.status).toBe(200);
    expect(out.json()).toEqual(BALANCE);
    expect(out.response.headers['content-type']).toBe('application/cipherlayer');
    expect(out.response.body.toString('latin1')).not.toContain('DE89');
    expect(harness.seen.at(-1)?.exchange?.form).toBe('header');
  });

  it('GET with the Cipherlayer header and Accept naming +json: a JSON answer', async () => {
    const out = await client.call({
      method: 'GET',
      target: '/api/balance',
      session: false,
      headers: { accept: 'application/cipherlayer+json' },
    });
    expect(out.response.headers['content-type']).toBe('application/cipherlayer+json');
    expect(out.json()).toEqual(BALANCE);
  });

  it('a 204 from the app is sent and authenticated as 200 with a sealed empty body', async () => {
    const out = await client.call({ method: 'GET', target: '/api/empty', session: false });
    expect(out.status).toBe(200);
    expect(out.text).toBe('');
    expect(harness.seen.at(-1)?.route).toBe('empty');
  });

  it('the app receives other content types as its framework would parse them', async () => {
    const text = await client.call({
      method: 'PUT',
      target: '/api/echo',
      plain: { contentType: 'text/plain; charset=utf-8', body: 'IBAN DE89 in text' },
      session: false,
    });
    expect(text.json()).toEqual({ contentType: 'text/plain; charset=utf-8', body: 'IBAN DE89 in text' });
    const form = await client.call({
      method: 'PUT',
      target: '/api/echo',
      plain: { contentType: 'application/x-www-form-urlencoded', body: 'to=DE89&amount=5' },
      session: false,
    });
    expect(form.json()).toEqual({
      contentType: 'application/x-www-form-urlencoded',
      body: { to: 'DE89', amount: '5' },
    });
  });
});
