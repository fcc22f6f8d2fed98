import { createClient } from '@cipherlayer/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * A client whose clock is two minutes slow: its first timestamped message
 * (a stateless request, or the handshake) is 400 ERR_STALE, and the real
 * server's answer carries the `Date` header the client corrects its clock
 * from before it sends the request once more.
 */
const SLOW_MS = 120_000;

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
    ['stateless', '/api/transfer'],
    ['session', '/.well-known/cipherlayer/session'],
  ] as const)('%s mode: one ERR_STALE with a Date, then the corrected request', async (mode, refusedAt) => {
    trial = await Trial.start(bank);
    const api = createClient({
      baseUrl: trial.tap.origin,
      mode,
      fetch: trial.sent.fetch,
      clock: () => Date.now() - SLOW_MS,
    });
    const created = await api('/api/transfer', trial.transfer());
    expect(created.status).toBe(201);
    expect((await created.json()).confirmation).toBe(trial.server.confirmation);

    const [stale, corrected] = trial.tap.find('POST', refusedAt);
    expect(stale?.response?.status).toBe(400);
    expect(JSON.parse(stale?.response?.body.toString() ?? '{}').error.code).toBe('ERR_STALE');
    const date = Date.parse(stale?.response?.headers.date ?? '');
    expect(Math.abs(date - Date.now())).toBeLessThan(5_000);
    expect(corrected?.response?.status).toBe(mode === 'stateless' ? 201 : 200);
    trial.expectLogged('ERR_STALE');
    trial.expectNoLeaks();
  });
});
