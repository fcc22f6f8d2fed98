import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness } from './helpers/harness.js';

function errorCode(body: Buffer): string {
  return JSON.parse(body.toString('utf8')).error.code;
}

/**
 * Session attributes: what `sessionAttributes(request)` returns at the
 * handshake is compared on every request, and attributes bound after login
 * with `bindSession` must come with every later request.
 */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness(name, { attributeHeaders: ['x-device', 'x-user'] });
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('a request with another attribute value than at the handshake is refused before the app runs', async () => {
    await client.handshake('binary', { 'x-device': 'phone-1' });
    const ok = await client.call({
      method: 'GET',
      target: '/api/balance',
      headers: { 'x-device': 'phone-1' },
    });
    expect(ok.status).toBe(200);
    const before = harness.seen.length;
    for (const headers of [{ 'x-device': 'laptop-9' }, {}]) {
      const built = await client.build({ method: 'GET', target: '/api/balance', headers });
      const response = await harness.send(built.request);
      expect(response.status).toBe(401);
      expect(errorCode(response.body)).toBe('ERR_SESSION_BINDING');
    }
    expect(harness.seen.length).toBe(before);
  });

  it('bindSession after login: later requests must carry the bound user', async () => {
    await client.handshake('binary', { 'x-device': 'phone-2' });
    const login = await client.call({
      method: 'POST',
      target: '/api/login',
      json: { user: 'alice' },
      headers: { 'x-device': 'phone-2' },
    });
    expect(login.json()).toEqual({ bound: true });
    expect(harness.seen.at(-1)?.exchange?.sessionAttributes).toEqual({ device: 'phone-2', user: 'alice' });

    const anonymous = await client.build({
      method: 'GET',
      target: '/api/balance',
      headers: { 'x-device': 'phone-2' },
    });
    const refused = await harness.send(anonymous.request);
    expect(refused.status).toBe(401);
    expect(errorCode(refused.body)).toBe('ERR_SESSION_BINDING');

    const out = await client.call({
      method: 'GET',
      target: '/api/balance',
      headers: { 'x-device': 'phone-2', 'x-user': 'alice' },
    });
    expect(out.status).toBe(200);
    expect(harness.seen.at(-1)?.exchange?.sessionAttributes).toEqual({ device: 'phone-2', user: 'alice' });
  });
});
