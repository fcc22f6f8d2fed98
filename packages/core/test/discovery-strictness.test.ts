import { describe, expect, it } from 'vitest';
import { ClientProtocol } from '../src/cl1/client.js';
import { ServerProtocol } from '../src/cl1/server.js';
import { ServerKeySet } from '../src/keys/key-set.js';
import { generateServerKey } from '../src/keys/server-key.js';
import { attempt, backends, run } from './helpers/backends.js';

describe.each(backends)('discovery documents and pins on %s', (_name, backend) => {
  async function published() {
    const keys = [
      await run(backend, generateServerKey({ keyId: 1 })),
      await run(backend, generateServerKey({ keyId: 2 })),
    ];
    const server = new ServerProtocol({ backend, keys: new ServerKeySet(keys) });
    return { server, discovery: await server.discovery() };
  }

  it.each([
    ['an empty kid', (d: { keys: Record<string, unknown>[] }) => (d.keys[0]!.kid = '')],
    ['a kid with a leading zero', (d: { keys: Record<string, unknown>[] }) => (d.keys[0]!.kid = '01')],
    ['a kid above 255', (d: { keys: Record<string, unknown>[] }) => (d.keys[0]!.kid = '256')],
    ['a numeric kid', (d: { keys: Record<string, unknown>[] }) => (d.keys[0]!.kid = 1)],
    ['two keys with one kid', (d: { keys: Record<string, unknown>[] }) => (d.keys[1]!.kid = d.keys[0]!.kid)],
    [
      "a curve that is not the suite's",
      (d: { keys: Record<string, unknown>[] }) => (d.keys[0]!.crv = 'P-256'),
    ],
    ['a key not for encryption', (d: { keys: Record<string, unknown>[] }) => (d.keys[0]!.use = 'sig')],
  ])('refuses a document with %s (ERR_MALFORMED)', async (_case, mutate) => {
    const { discovery } = await published();
    const changed = structuredClone(discovery) as unknown as { keys: Record<string, unknown>[] };
    mutate(changed);
    await expect(attempt(() => ClientProtocol.create({ backend, discovery: changed }))).rejects.toMatchObject(
      { code: 'ERR_MALFORMED' },
    );
  });

  it('treats an empty pin list as a configuration error, not as "no pinning"', async () => {
    const { discovery } = await published();
    await expect(
      attempt(() => ClientProtocol.create({ backend, discovery, pins: [] })),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    const pinned = await ClientProtocol.create({ backend, discovery, pins: [discovery.keys[1]!.pin] });
    expect(pinned.key.keyId).toBe(Number(discovery.keys[1]!.kid));
  });

  it('refuses a session request body over the limit before sealing it', async () => {
    const { server, discovery } = await published();
    const client = await ClientProtocol.create({ backend, discovery, maxBodyBytes: 16 });
    const binding = { method: 'POST', target: '/s' };
    const hello = await client.startHandshake(binding);
    const session = await hello.finish((await server.handshake(hello.message, binding)).response, 200);
    await expect(
      attempt(() => session.sealRequest(binding, { contentType: 'text/plain', body: new Uint8Array(17) })),
    ).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    expect(session.nextCounter).toBe(0);
    await session.sealRequest(binding, { contentType: 'text/plain', body: new Uint8Array(16) });
    expect(session.nextCounter).toBe(1);
  });

  it('says a session expired (not unknown) after its lifetime, then forgets it', async () => {
    let now = Date.now();
    const key = await run(backend, generateServerKey({ keyId: 1 }));
    const server = new ServerProtocol({
      backend,
      keys: new ServerKeySet([key]),
      clock: () => now,
      session: { ttlMs: 1000 },
    });
    const client = await ClientProtocol.create({
      backend,
      discovery: await server.discovery(),
      clock: () => now,
    });
    const binding = { method: 'POST', target: '/s' };
    const hello = await client.startHandshake(binding);
    const session = await hello.finish((await server.handshake(hello.message, binding)).response, 200);
    const message = (await session.sealRequest(binding, { contentType: '', body: new Uint8Array(0) }))
      .message;
    now += 1000;
    await expect(attempt(() => server.openRequest(message, binding))).rejects.toMatchObject({
      code: 'ERR_SESSION_EXPIRED',
      status: 401,
    });
    now += 60 * 60_000;
    await expect(attempt(() => server.openRequest(message, binding))).rejects.toMatchObject({
      code: 'ERR_SESSION_UNKNOWN',
    });
  });
});
