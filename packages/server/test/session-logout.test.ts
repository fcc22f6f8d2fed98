import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, type Harness, startHarness } from './helpers/harness.js';

function errorCode(body: Buffer): string {
  return JSON.parse(body.toString('utf8')).error.code;
}

/** Logout at the well-known endpoint, and revocation by the app, through every adapter. */
describe.each(ADAPTERS)('%s', (name) => {
  let harness: Harness;
  let client: TestClient;
  beforeAll(async () => {
    harness = await startHarness(name);
    client = await TestClient.connect(harness);
  });
  afterAll(() => harness.close());

  it('DELETE on the session endpoint revokes the session and answers a sealed, empty 200', async () => {
    await client.handshake();
    const revoked: unknown[] = [];
    harness.engine.on('revoked', (event) => revoked.push(event));
    const out = await client.call({ method: 'DELETE', target: harness.engine.paths.session });
    expect(out.status).toBe(200);
    expect(out.text).toBe('');
    expect(out.response.headers['cache-control']).toBe('no-store');
    expect(revoked).toEqual([expect.objectContaining({ by: 'logout' })]);

    const after = await client.build({ method: 'GET', target: '/api/balance' });
    const response = await harness.send(after.request);
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe('ERR_SESSION_REVOKED');
    expect(harness.seen.filter((s) => s.route === 'balance')).toHaveLength(0);
  });

  it('a logout may also carry its message in the body, in either encoding', async () => {
    for (const form of ['binary', 'json'] as const) {
      await client.handshake();
      const out = await client.call({
        method: 'DELETE',
        target: harness.engine.paths.session,
        plain: { contentType: 'text/plain', body: 'bye' },
        form,
      });
      expect(out.status).toBe(200);
      expect(out.response.headers['content-type']).toBe(
        form === 'json' ? 'application/cipherlayer+json' : 'application/cipherlayer',
      );
    }
  });

  it('a logout in the clear is refused, and a stateless one is malformed', async () => {
    const plain = await harness.send({ method: 'DELETE', target: harness.engine.paths.session });
    expect(plain.status).toBe(415);
    const stateless = await client.build({
      method: 'DELETE',
      target: harness.engine.paths.session,
      session: false,
    });
    const response = await harness.send(stateless.request);
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe('ERR_MALFORMED');
  });

  it('revokeSession() from a handler: that answer is still sealed, the next request is refused', async () => {
    await client.handshake();
    const out = await client.call({ method: 'POST', target: '/api/logout', json: {} });
    expect(out.json()).toEqual({ revoked: true });
    const next = await client.build({ method: 'GET', target: '/api/balance' });
    const response = await harness.send(next.request);
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe('ERR_SESSION_REVOKED');
  });
});
