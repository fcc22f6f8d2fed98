import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * Logout: the client's DELETE of the session endpoint revokes the session
 * on the server. A message of the old session, replayed by anyone who kept
 * it, is then 401 ERR_SESSION_REVOKED, and the client's next request makes
 * a new session.
 */
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

  it.each(['binary', 'json'] as const)(
    '%s encoding: revoked on the server, a new session after',
    async (encoding) => {
      trial = await Trial.start(bank);
      const api = trial.connect('session', encoding);
      expect((await api('/api/balance', { headers: trial.headers })).status).toBe(200);
      const [before] = trial.sent.sessionIds();

      await api.logout();
      const [logout, ...others] = trial.tap.find('DELETE', '/.well-known/cipherlayer/session');
      expect(others).toHaveLength(0);
      expect(logout?.request.headers.cipherlayer).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(logout?.response?.status).toBe(200);
      expect(logout?.response?.headers['cache-control']).toBe('no-store');
      expect(logout?.response?.headers['content-type']).toBe(
        encoding === 'json' ? 'application/cipherlayer+json' : 'application/cipherlayer',
      );

      // The request made before logout, sent again as it was: the session is revoked everywhere.
      const kept = trial.sent.requests.find((r) => r.url.endsWith('/api/balance'));
      const replayed = await fetch(kept?.url as string, { headers: kept?.init.headers as HeadersInit });
      expect(replayed.status).toBe(401);
      expect((await replayed.json()).error.code).toBe('ERR_SESSION_REVOKED');

      const seen = bank.server.seen.length;
      const again = await api('/api/transfer', trial.transfer());
      expect(again.status).toBe(201);
      expect(bank.server.seen).toHaveLength(seen + 1);
      expect(trial.tap.find('POST', '/.well-known/cipherlayer/session')).toHaveLength(2);
      const after = trial.sent.sessionIds().at(-1);
      expect(Buffer.from(after as Uint8Array).equals(Buffer.from(before as Uint8Array))).toBe(false);

      trial.expectLogged('ERR_SESSION_REVOKED');
      trial.expectNoLeaks();
    },
  );
});
