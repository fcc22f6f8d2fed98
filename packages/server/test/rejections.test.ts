import { type ErrorCode, errorRegistry, ServerKeySet, toBase64Url } from '@cipherlayer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import {
  ADAPTERS,
  type Harness,
  type HarnessOptions,
  startHarness,
  type WireRequest,
} from './helpers/harness.js';
import { ManualClock, serverKey } from './helpers/keys.js';

/**
 * Every way a cl1 request is refused, through every adapter: the status and
 * body of the registry (spec/protocol.md, "Errors"), and the app never runs.
 */
describe.each(ADAPTERS)('%s', (name) => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const harness of open.splice(0)) await harness.close();
  });

  async function setup(options: HarnessOptions = {}) {
    const clock = new ManualClock();
    const harness = await startHarness(name, { clock: clock.now, ...options });
    open.push(harness);
    const client = await TestClient.connect(harness, clock.now);
    return { clock, harness, client };
  }

  async function expectRefused(harness: Harness, request: WireRequest, code: ErrorCode): Promise<void> {
    const handled = harness.seen.length;
    const response = await harness.send(request);
    const { status, message } = errorRegistry[code];
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({ error: { code, message } });
    expect(harness.seen.length, 'the app ran').toBe(handled);
  }

  const transfer = {
    method: 'POST',
    target: '/api/transfer',
    json: { to: 'DE89', amount: 1 },
    session: false,
  } as const;

  it('malformed JSON encoding: not JSON, an unknown member, non-canonical base64url', async () => {
    const { harness, client } = await setup();
    const json = {
      method: 'POST',
      target: '/api/transfer',
      headers: { 'content-type': 'application/cipherlayer+json' },
    };
    await expectRefused(harness, { ...json, body: '{"cl1":"request",' }, 'ERR_MALFORMED');
    const built = await client.build({ ...transfer, form: 'json' });
    const message = JSON.parse(built.request.body as string);
    await expectRefused(
      harness,
      { ...json, body: JSON.stringify({ ...message, extra: 1 }) },
      'ERR_MALFORMED',
    );
    await expectRefused(
      harness,
      { ...json, body: JSON.stringify({ ...message, ct: `${message.ct}=` }) },
      'ERR_MALFORMED',
    );
    await expectRefused(
      harness,
      { ...json, body: JSON.stringify({ ...message, rid: '***' }) },
      'ERR_MALFORMED',
    );
  });

  it('malformed header: not base64url, and not a message', async () => {
    const { harness } = await setup();
    await expectRefused(
      harness,
      { method: 'GET', target: '/api/balance', headers: { cipherlayer: 'a+b/c=' } },
      'ERR_MALFORMED',
    );
    await expectRefused(
      harness,
      {
        method: 'GET',
        target: '/api/balance',
        headers: { cipherlayer: toBase64Url(new Uint8Array([0xc1, 0x09, 1, 2])) },
      },
      'ERR_MALFORMED',
    );
  });

  it('tampered: one flipped bit anywhere after the header', async () => {
    const { harness, client } = await setup();
    for (const offset of [-1, -20, 40]) {
      const built = await client.build(transfer);
      const body = Uint8Array.from(built.request.body as Uint8Array);
      const at = offset < 0 ? body.length + offset : offset;
      body[at] = (body[at] as number) ^ 0x01;
      await expectRefused(harness, { ...built.request, body }, 'ERR_DECRYPT');
    }
  });

  it('tampered header: a changed timestamp or request id fails authentication', async () => {
    const { harness, client } = await setup();
    for (const offset of [16, 20]) {
      const built = await client.build(transfer);
      const body = Uint8Array.from(built.request.body as Uint8Array);
      body[offset] = (body[offset] as number) ^ 0x01;
      await expectRefused(harness, { ...built.request, body }, 'ERR_DECRYPT');
    }
  });

  it("a suite other than the key's", async () => {
    const { harness, client } = await setup();
    const built = await client.build({ ...transfer, json: { padding: 'x'.repeat(64) } });
    const body = Uint8Array.from(built.request.body as Uint8Array);
    body[3] = 0x00;
    body[4] = 0x10; // P-256 KEM id on an X25519 key
    await expectRefused(harness, { ...built.request, body }, 'ERR_SUITE_NOT_ALLOWED');
  });

  it('replayed: a stateless request, and a session request', async () => {
    const { harness, client } = await setup();
    const built = await client.build(transfer);
    expect((await harness.send(built.request)).status).toBe(201);
    await expectRefused(harness, built.request, 'ERR_REPLAY');
    await client.handshake();
    const session = await client.build({ method: 'GET', target: '/api/balance' });
    expect((await harness.send(session.request)).status).toBe(200);
    await expectRefused(harness, session.request, 'ERR_REPLAY');
  });

  it('stale: a timestamp outside the window', async () => {
    const { harness, client, clock } = await setup();
    const built = await client.build(transfer);
    clock.advance(30_001);
    await expectRefused(harness, built.request, 'ERR_STALE');
  });

  it('expired session', async () => {
    const { harness, client, clock } = await setup({ session: { ttlMs: 60_000 } });
    await client.handshake();
    const built = await client.build({ method: 'GET', target: '/api/balance' });
    clock.advance(60_000);
    await expectRefused(harness, built.request, 'ERR_SESSION_EXPIRED');
  });

  it('session message limit', async () => {
    const { harness, client } = await setup({ session: { maxMessages: 1 } });
    const session = await client.handshake();
    await client.call({ method: 'GET', target: '/api/balance' });
    // The client stops at its budget by itself; make it send one more, as a broken client would.
    Object.defineProperty(session, 'usable', { get: () => true });
    const built = await client.build({ method: 'GET', target: '/api/balance' });
    await expectRefused(harness, built.request, 'ERR_SESSION_LIMIT');
  });

  it('unknown session', async () => {
    const { client } = await setup();
    const other = await setup();
    await client.handshake();
    const built = await client.build({ method: 'GET', target: '/api/balance' });
    await expectRefused(other.harness, built.request, 'ERR_SESSION_UNKNOWN');
  });

  it('unknown key id', async () => {
    const { client } = await setup({ keys: new ServerKeySet([serverKey({ keyId: 7 })]) });
    const other = await setup({ keys: new ServerKeySet([serverKey({ keyId: 9 })]) });
    const built = await client.build(transfer);
    await expectRefused(other.harness, built.request, 'ERR_UNKNOWN_KEY');
  });

  it('expired key', async () => {
    const clock = new ManualClock();
    const { harness, client } = await setup({
      clock: clock.now,
      keys: new ServerKeySet([serverKey({ keyId: 3, notAfter: clock.time + 60_000 })]),
    });
    const built = await client.build(transfer);
    clock.advance(60_000);
    await expectRefused(harness, built.request, 'ERR_KEY_EXPIRED');
  });
});
