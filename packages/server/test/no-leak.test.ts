import { inspect } from 'node:util';
import { toBase64, toBase64Url, toHex } from '@cipherlayer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { ADAPTERS, BALANCE, type Harness, startHarness } from './helpers/harness.js';
import { keySet } from './helpers/keys.js';
import { SwitchableStore } from './helpers/switchable-store.js';

const PLAINTEXT = 'IBAN DE44 5001 0517 5407 3249 31 PIN-4711';

/**
 * Everything cipherlayer writes about requests (log lines at every level,
 * events, error bodies) after a run of normal traffic and of every kind of
 * failure, searched for plaintext, keys, messages and session ids.
 */
describe.each(ADAPTERS)('%s', (name) => {
  const written: string[] = [];
  const secrets = new Set<string>();
  let harness: Harness;
  let client: TestClient;
  let store: SwitchableStore;

  function secret(value: string): void {
    if (value.length >= 8) secrets.add(value);
  }
  function secretBytes(bytes: Uint8Array): void {
    secret(toBase64Url(bytes));
    secret(toBase64(bytes));
    secret(toHex(bytes));
  }

  beforeAll(async () => {
    const keys = keySet();
    for (const jwk of keys.toPrivateDocument().keys) secret(jwk.d);
    const capture = (level: string) => (fields: object, message: string) =>
      written.push(`${level} ${message} ${JSON.stringify(fields)}`);
    store = new SwitchableStore(Date.now);
    harness = await startHarness(name, {
      keys,
      sessionStore: store,
      replayCache: store,
      storeTimeoutMs: 50,
      attributeHeaders: ['x-device'],
      logger: {
        error: capture('error'),
        warn: capture('warn'),
        info: capture('info'),
        debug: capture('debug'),
      },
    });
    for (const event of ['opened', 'sealed', 'rejected', 'replayed', 'handshake', 'revoked'] as const) {
      harness.engine.on(event, (payload) => written.push(`event ${event} ${JSON.stringify(payload)}`));
    }
    client = await TestClient.connect(harness);
    secret(PLAINTEXT);
    secret(BALANCE.account);
    secret(BALANCE.holder);
  });
  afterAll(() => harness.close());

  it('a run of traffic and failures writes no plaintext, key, message or session id anywhere', async () => {
    const send = async (request: Parameters<Harness['send']>[0]) => {
      const response = await harness.send(request);
      if (!(response.headers['content-type'] ?? '').startsWith('application/cipherlayer'))
        written.push(`body ${response.body.toString('latin1')}`);
      return response;
    };
    const transfer = { method: 'POST', target: '/api/transfer', json: { to: PLAINTEXT, amount: 1 } } as const;

    // Normal traffic: stateless, a session, a logout.
    const stateless = await client.build({ ...transfer, session: false });
    secretBytes(stateless.request.body as Uint8Array);
    await send(stateless.request);
    const session = await client.handshake('binary', { 'x-device': 'device-7f3a9c' });
    secretBytes(session.sessionId);
    const get = await client.build({
      method: 'GET',
      target: '/api/balance',
      headers: { 'x-device': 'device-7f3a9c' },
    });
    secret(get.request.headers?.cipherlayer as string);
    await send(get.request);

    // Failures: replay, tamper, wrong binding attribute, plaintext, malformed, store down, stale session.
    await send(stateless.request);
    const tampered = Uint8Array.from(stateless.request.body as Uint8Array);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    await send({ ...stateless.request, body: tampered });
    const wrongDevice = await client.build({ ...transfer, headers: { 'x-device': 'device-000000' } });
    await send(wrongDevice.request);
    await send({
      method: 'POST',
      target: '/api/transfer',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: PLAINTEXT }),
    });
    await send({
      method: 'POST',
      target: '/api/transfer',
      headers: { 'content-type': 'application/cipherlayer+json' },
      body: `{"to":"${PLAINTEXT}"`,
    });
    store.fail('reject', 'load');
    await send((await client.build({ ...transfer, headers: { 'x-device': 'device-7f3a9c' } })).request);
    store.recover();
    const logout = await client.build({
      method: 'DELETE',
      target: harness.engine.paths.session,
      headers: { 'x-device': 'device-7f3a9c' },
    });
    await send(logout.request);
    await send(
      (
        await client.build({
          method: 'GET',
          target: '/api/balance',
          headers: { 'x-device': 'device-7f3a9c' },
        })
      ).request,
    );

    // What the app may log about an exchange is safe too.
    for (const seen of harness.seen) {
      written.push(`exchange ${JSON.stringify(seen.exchange)} ${inspect(seen.exchange)}`);
    }

    expect(written.filter((line) => line.startsWith('info ')).length).toBeGreaterThan(3);
    expect(written.some((line) => line.startsWith('error '))).toBe(true);
    expect(written.some((line) => line.startsWith('event opened'))).toBe(true);
    expect(written.some((line) => line.startsWith('body '))).toBe(true);
    secret(SwitchableStore.LEAKY_MESSAGE);
    const everything = written.join('\n');
    for (const value of secrets) expect(everything, `leaked: ${value.slice(0, 12)}…`).not.toContain(value);
    expect(everything).not.toContain('DE44');
    expect(everything).not.toContain('c2VjcmV0');
  });
});
