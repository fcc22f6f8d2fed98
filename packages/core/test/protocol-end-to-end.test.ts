import { describe, expect, it } from 'vitest';
import { ClientProtocol } from '../src/cl1/client.js';
import { fromJsonMessage, toJsonMessage } from '../src/cl1/json.js';
import { ServerProtocol } from '../src/cl1/server.js';
import { P256_SHA256_AES256GCM, type Suite, X25519_SHA256_AES256GCM } from '../src/hpke/suites.js';
import { importServerKeySet, ServerKeySet } from '../src/keys/key-set.js';
import { generateServerKey } from '../src/keys/server-key.js';
import { fromUtf8, utf8 } from '../src/lib/bytes.js';
import { CipherlayerError } from '../src/lib/errors.js';
import { attempt, backends, run } from './helpers/backends.js';

const binding = { method: 'POST', target: '/api/transfer?from=1' };
const json = (value: unknown) => ({ contentType: 'application/json', body: utf8(JSON.stringify(value)) });

async function serverWith(backendIndex: number, suite: Suite) {
  const [, backend] = backends[backendIndex]!;
  const key = await run(backend, generateServerKey({ keyId: 7, suite }));
  return new ServerProtocol({ backend, keys: new ServerKeySet([key]) });
}

const pairs = backends.flatMap((s, si) =>
  backends.map((c, ci) => [`${s[0]} server, ${c[0]} client`, si, ci] as const),
);
const suites = [
  ['X25519', X25519_SHA256_AES256GCM],
  ['P-256', P256_SHA256_AES256GCM],
] as const;

describe.each(pairs)('%s', (_name, serverIndex, clientIndex) => {
  const clientBackend = backends[clientIndex]![1];

  it.each(suites)('stateless request and response (%s)', async (_s, suite) => {
    const server = await serverWith(serverIndex, suite);
    const client = await ClientProtocol.create({
      backend: clientBackend,
      discovery: await server.discovery(),
    });
    const sealed = await client.sealRequest(binding, json({ amount: 125, to: 'DE89 3704' }));
    expect(new TextDecoder().decode(sealed.message)).not.toContain('DE89');

    const opened = await server.openRequest(sealed.message, binding);
    expect(opened.kind).toBe('stateless');
    expect(opened.contentType).toBe('application/json');
    expect(JSON.parse(fromUtf8(opened.body))).toEqual({ amount: 125, to: 'DE89 3704' });

    const response = await opened.sealResponse({ status: 201, ...json({ balance: 1875 }) });
    const plain = await sealed.openResponse(response, 201);
    expect(JSON.parse(fromUtf8(plain.body))).toEqual({ balance: 1875 });
    // The status is authenticated: the same bytes under another status do not open.
    await expect(attempt(() => sealed.openResponse(response, 200))).rejects.toMatchObject({
      code: 'ERR_DECRYPT',
    });
  });

  it.each(suites)('session handshake, then requests in both encodings (%s)', async (_s, suite) => {
    const server = await serverWith(serverIndex, suite);
    const client = await ClientProtocol.create({
      backend: clientBackend,
      discovery: await server.discovery(),
    });
    const hello = await client.startHandshake({ method: 'POST', target: '/.well-known/cipherlayer/session' });
    const accepted = await server.handshake(hello.message, {
      method: 'POST',
      target: '/.well-known/cipherlayer/session',
    });
    const session = await hello.finish(accepted.response, 200);
    expect(session.sessionId).toEqual(accepted.sessionId);

    for (let i = 0; i < 3; i++) {
      const sealed = await session.sealRequest(binding, json({ i }));
      const wire =
        i % 2 === 0
          ? sealed.message
          : fromJsonMessage(JSON.parse(JSON.stringify(toJsonMessage(sealed.message))));
      const opened = await server.openRequest(wire, binding);
      expect(opened.kind).toBe('session');
      if (opened.kind === 'session') expect(opened.counter).toBe(i);
      expect(JSON.parse(fromUtf8(opened.body))).toEqual({ i });
      const response = await opened.sealResponse({ status: 200, ...json({ ok: i }) });
      expect(JSON.parse(fromUtf8((await sealed.openResponse(response, 200)).body))).toEqual({ ok: i });
    }
  });
});

describe('protocol rules', () => {
  it('rejects a session request replayed, and the response to one request for another', async () => {
    const server = await serverWith(0, X25519_SHA256_AES256GCM);
    const client = await ClientProtocol.create({
      backend: backends[0]![1],
      discovery: await server.discovery(),
    });
    const hello = await client.startHandshake(binding);
    const session = await hello.finish((await server.handshake(hello.message, binding)).response, 200);
    const first = await session.sealRequest(binding, json({ n: 1 }));
    const second = await session.sealRequest(binding, json({ n: 2 }));
    const opened1 = await server.openRequest(first.message, binding);
    await expect(attempt(() => server.openRequest(first.message, binding))).rejects.toMatchObject({
      code: 'ERR_REPLAY',
    });
    const opened2 = await server.openRequest(second.message, binding);
    const response1 = await opened1.sealResponse({ status: 200, ...json({ r: 1 }) });
    await opened2.sealResponse({ status: 200, ...json({ r: 2 }) });
    await expect(attempt(() => second.openResponse(response1, 200))).rejects.toBeInstanceOf(CipherlayerError);
    expect(() => opened1.sealResponse({ status: 200, ...json({}) })).toThrow(/once/);
  });

  it('key sets survive export and import, and the private key never shows in JSON', async () => {
    const key = await run(backends[0]![1], generateServerKey({ keyId: 3 }));
    const set = new ServerKeySet([key]);
    const document = set.toPrivateDocument();
    expect(JSON.stringify(set)).not.toContain(document.keys[0]!.d);
    const again = await run(backends[1]![1], importServerKeySet(document));
    expect(again.keys[0]!.publicKey).toEqual(key.publicKey);
  });
});
