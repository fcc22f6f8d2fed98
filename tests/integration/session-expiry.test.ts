import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * A session that expired on the server while the client still holds it
 * (the server's clock ran ahead of the client's): the server answers
 * 401 ERR_SESSION_EXPIRED in the clear, the client handshakes again and
 * sends the request once more, sealed in the new session. The caller sees
 * one successful response, and the app runs once.
 */
const TTL_MS = 10_000;
/** Past the session's lifetime, and well within the 30 s accepted for the new handshake's timestamp. */
const AHEAD_MS = TTL_MS + 1_000;

describe.each(ADAPTERS)('%s', (adapter) => {
  let bank: Bank;
  let trial: Trial | undefined;
  let ahead = 0;
  beforeAll(async () => {
    bank = await startBank(adapter, {
      engine: { clock: () => Date.now() + ahead, session: { ttlMs: TTL_MS } },
    });
  });
  afterEach(async () => {
    ahead = 0;
    await trial?.close();
  });
  afterAll(async () => {
    await bank?.server.close();
  });

  it.each(['binary', 'json'] as const)('%s encoding: a transparent new handshake', async (encoding) => {
    trial = await Trial.start(bank);
    const api = trial.connect('session', encoding);
    expect((await api('/api/balance', { headers: trial.headers })).status).toBe(200);

    ahead = AHEAD_MS;
    const seen = bank.server.seen.length;
    const created = await api('/api/transfer', trial.transfer());
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({
      received: { to: trial.client.iban, amount: 125.5, memo: trial.client.memo },
      confirmation: trial.server.confirmation,
    });
    expect(bank.server.seen).toHaveLength(seen + 1);

    const [expired, resent] = trial.tap.find('POST', '/api/transfer');
    expect(expired?.response?.status).toBe(401);
    expect(JSON.parse(expired?.response?.body.toString() ?? '{}').error.code).toBe('ERR_SESSION_EXPIRED');
    expect(resent?.response?.status).toBe(201);
    expect(trial.tap.find('POST', '/.well-known/cipherlayer/session')).toHaveLength(2);
    const [first, second] = trial.sent.sessionIds().slice(-2);
    expect(Buffer.from(first!).equals(Buffer.from(second!))).toBe(false);

    trial.expectLogged('ERR_SESSION_EXPIRED');
    trial.expectNoLeaks();
  });
});
