import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRsaSessionClient } from '../../src/rsa-session/client.js';
import { RsaKeyPool, rsaSession } from '../../src/rsa-session.js';
import { ADAPTERS, type AdapterName, type App, startApp } from '../helpers/apps.js';
import { seedCall, seedCreateSession } from '../helpers/seed001-client.js';
import { startSeed001Server } from '../helpers/seed001-server.js';

/**
 * Seed 001 against our implementation, both ways, with the seed's own code
 * (test/helpers/seed001-*.ts): its client against our server on every
 * adapter, our client against its server. And one finding: the seed's own
 * client and server, as written, do not work together.
 */
const secret = randomBytes(32);
let pool: RsaKeyPool;

beforeAll(async () => {
  pool = new RsaKeyPool({ size: 8, waitMs: 20_000 });
  await pool.filled();
});
afterAll(() => pool.close());

/** On Web-standard adapters the client address comes from a trusted proxy's header. */
function ipHook(adapter: AdapterName) {
  return adapter === 'hono' || adapter === 'fetch'
    ? {
        ipAddress: (_request: unknown, view: { header(n: string): string | undefined }) =>
          view.header('x-real-ip') ?? '127.0.0.1',
      }
    : {};
}

describe.each(ADAPTERS)("our server (%s) ← the seed's client", (adapter) => {
  let app: App;
  let strictApp: App;
  beforeAll(async () => {
    app = await startApp(adapter, {
      profile: () => rsaSession({ jwtSecret: secret, pool, ...ipHook(adapter) }) as never,
    });
    strictApp = await startApp(adapter, {
      profile: () => rsaSession({ jwtSecret: secret, pool, mode: 'strict', ...ipHook(adapter) }) as never,
    });
  });
  afterAll(async () => {
    await app.close();
    await strictApp.close();
  });

  it('phases 1 to 5: session, sealed request, sealed answer', async () => {
    const deviceId = randomUUID();
    const session = await seedCreateSession(`${app.url}/.well-known/cipherlayer/rsa-session`, deviceId);
    expect(session.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(session.token.split('.')).toHaveLength(3);
    const out = await seedCall(`${app.url}/api/transfer`, session, deviceId, {
      to: 'DE89 3704',
      amount: 12.5,
    });
    expect(out.status).toBe(201);
    expect(out.body).toEqual({ ok: true, to: 'DE89 3704', amount: 12.5 });
    expect(out.raw).not.toContain('DE89');
    expect(app.seen.at(-1)?.body).toEqual({ to: 'DE89 3704', amount: 12.5 });
    expect(app.seen.at(-1)?.profile?.details).toEqual({ deviceId });
  });

  it("strict mode refuses the seed's client (OAEP-SHA1, no associated data): 400 ERR_DECRYPT", async () => {
    const deviceId = randomUUID();
    const session = await seedCreateSession(`${strictApp.url}/.well-known/cipherlayer/rsa-session`, deviceId);
    const out = await seedCall(`${strictApp.url}/api/transfer`, session, deviceId, { to: 'x', amount: 1 });
    expect(out.status).toBe(400);
    expect(out.body).toEqual({ error: { code: 'ERR_DECRYPT', message: 'decryption operation failed' } });
  });
});

describe("the seed's server → our client", () => {
  let seed: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    seed = await startSeed001Server();
  });
  afterAll(() => seed.close());

  it('our client makes a session at the seed server and its request opens there (OAEP-SHA256)', async () => {
    const api = createRsaSessionClient({
      baseUrl: seed.url,
      sessionPath: '/session',
      deviceId: randomUUID(),
    });
    const response = await api('/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'DE89', amount: 7 }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true, to: 'DE89', amount: 7 });
  });

  it("finding: the seed's own client fails against the seed's own server (publicEncrypt's default OAEP hash is SHA-1)", async () => {
    const deviceId = randomUUID();
    const session = await seedCreateSession(`${seed.url}/session`, deviceId);
    const out = await seedCall(`${seed.url}/api/transfer`, session, deviceId, { to: 'x', amount: 1 });
    expect(out.status).toBe(400);
    expect(out.body).toEqual({ error: 'Invalid encrypted payload' });
  });
});
