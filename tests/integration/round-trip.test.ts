import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * The real client against the real server, over loopback HTTP with a TCP
 * tap in between: every combination of mode and encoding, on every
 * adapter. Requests with a body carry the message in the body; a GET
 * carries it in the `Cipherlayer` header. The app's own errors (404, 422)
 * are sealed and open as ordinary responses. Nothing the client or the app
 * exchanged crosses the tap in the clear, and no log line holds it.
 */
const MEDIA = { binary: 'application/cipherlayer', json: 'application/cipherlayer+json' } as const;

describe.each(ADAPTERS)('%s', (adapter) => {
  let bank: Bank;
  let trial: Trial | undefined;
  beforeAll(async () => {
    bank = await startBank(adapter);
  });
  afterEach(async () => {
    await trial?.close();
  });
  afterAll(async () => {
    await bank?.server.close();
  });

  it.each([
    ['stateless', 'binary'],
    ['stateless', 'json'],
    ['session', 'binary'],
    ['session', 'json'],
  ] as const)('%s mode, %s encoding: POST JSON, GET, sealed 404 and 422', async (mode, encoding) => {
    trial = await Trial.start(bank);
    const { client: sent, server: answers } = trial;
    const api = trial.connect(mode, encoding);

    const created = await api('/api/transfer', trial.transfer());
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await created.json()).toEqual({
      received: { to: sent.iban, amount: 125.5, memo: sent.memo },
      confirmation: answers.confirmation,
    });

    const balance = await api('/api/balance', { headers: trial.headers });
    expect(balance.status).toBe(200);
    expect(await balance.json()).toEqual({ balance: answers.balance });

    const missing = await api('/api/accounts/7', { headers: trial.headers });
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
    expect(await missing.json()).toEqual({ problem: 'no such account', reference: answers.reference });

    const invalid = await api('/api/transfer', trial.transfer('lots'));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({ problem: 'amount must be a number', memo: sent.memo });

    // The handlers got the plaintext, parsed by their framework.
    expect(bank.server.seen.at(-1)).toEqual({
      route: 'transfer',
      body: { to: sent.iban, amount: 'lots', memo: sent.memo },
    });

    // What an intermediary saw: cl1 messages only, each status as the app set it.
    const { tap } = trial;
    expect(tap.find('GET', '/.well-known/cipherlayer')).toHaveLength(1);
    expect(tap.find('POST', '/.well-known/cipherlayer/session')).toHaveLength(mode === 'session' ? 1 : 0);
    const posts = tap.find('POST', '/api/transfer');
    expect(posts.map((e) => e.response?.status)).toEqual([201, 422]);
    const gets = [...tap.find('GET', '/api/balance'), ...tap.find('GET', '/api/accounts/7')];
    expect(gets.map((e) => e.response?.status)).toEqual([200, 404]);
    for (const { request } of posts) {
      expect(request.headers['content-type']).toBe(MEDIA[encoding]);
      expect(request.headers.cipherlayer).toBeUndefined();
    }
    for (const { request } of gets) {
      expect(request.headers.cipherlayer).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(request.headers['content-type']).toBeUndefined();
      expect(request.body).toHaveLength(0);
    }
    for (const { response } of [...posts, ...gets]) {
      expect(response?.headers['content-type']).toBe(MEDIA[encoding]);
      expect(response?.headers['cache-control']).toBe('no-store');
      expect(response?.headers.vary).toMatch(/\bCipherlayer, Content-Type$/);
      expect(response?.headers.etag).toBeUndefined();
    }
    trial.expectNoLeaks();
  });

  it('session mode: 24 concurrent requests share one handshake and all open, counters in any order', async () => {
    const current = await Trial.start(bank);
    trial = current;
    const api = current.connect('session');
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0
          ? api('/api/transfer', current.transfer())
          : api('/api/balance', { headers: current.headers }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 2 ? 200 : 201)));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(bodies.filter((b) => b.balance === current.server.balance)).toHaveLength(12);
    expect(trial.tap.find('POST', '/.well-known/cipherlayer/session')).toHaveLength(1);
    expect(new Set(trial.sent.sessionIds().map((id) => Buffer.from(id).toString('hex'))).size).toBe(1);
    trial.expectNoLeaks();
  });

  it('a tampered copy of a sealed request is refused in the clear, and logged without its content', async () => {
    trial = await Trial.start(bank);
    const api = trial.connect('stateless');
    expect((await api('/api/transfer', trial.transfer())).status).toBe(201);
    const seen = bank.server.seen.length;

    const original = trial.sent.requests.find((r) => r.url.endsWith('/api/transfer'));
    const tampered = Uint8Array.from(original?.init.body as Uint8Array);
    tampered[tampered.length - 1]! ^= 1;
    const refused = await fetch(`${trial.tap.origin}/api/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/cipherlayer' },
      body: tampered,
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { code: 'ERR_DECRYPT', message: 'decryption operation failed' },
    });
    expect(bank.server.seen).toHaveLength(seen);
    trial.expectLogged('ERR_DECRYPT');
    trial.expectNoLeaks();
  });
});
