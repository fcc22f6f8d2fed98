import { CipherlayerServerError } from '@cipherlayer/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * Sessions bound to a request header, as the server README's example does
 * (`sessionAttributes: (req) => ({ device: req.get('x-device-id') ?? '' })`):
 * the value is taken at the handshake and compared on every request of the
 * session, the logout included. The client's handshake and logout carry the
 * app's headers, so the binding holds for the device that made the session
 * and refuses any other (401 ERR_SESSION_BINDING, reported, never retried).
 */
describe.each(ADAPTERS)('%s', (adapter) => {
  let bank: Bank;
  let trial: Trial | undefined;
  beforeAll(async () => {
    bank = await startBank(adapter, { bindTo: ['x-device-id'] });
  });
  afterEach(async () => {
    await trial?.close();
  });
  afterAll(async () => {
    await bank?.server.close();
  });

  it('the device that made the session uses it and logs out; another device is refused', async () => {
    trial = await Trial.start(bank);
    const api = trial.connect('session');
    const current = trial;
    const device = (id: string) => ({ ...current.headers, 'x-device-id': id });

    expect((await api('/api/balance', { headers: device('phone') })).status).toBe(200);
    expect(
      (
        await api('/api/transfer', {
          ...trial.transfer(),
          headers: { ...device('phone'), 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(201);
    const [handshake] = trial.tap.find('POST', '/.well-known/cipherlayer/session');
    expect(handshake?.request.headers['x-device-id']).toBe('phone');
    expect(handshake?.request.headers.authorization).toBe(`Bearer ${trial.credentials.token}`);

    const seen = bank.server.seen.length;
    const stolen = await api('/api/balance', { headers: device('laptop') }).catch((e: unknown) => e);
    expect(stolen).toBeInstanceOf(CipherlayerServerError);
    expect(stolen).toMatchObject({ code: 'ERR_SESSION_BINDING', httpStatus: 401 });
    expect(bank.server.seen).toHaveLength(seen);
    expect(trial.tap.find('GET', '/api/balance').map((e) => e.response?.status)).toEqual([200, 401]);

    // The refused session was dropped: the next request makes a session of its own device's.
    expect((await api('/api/balance', { headers: device('laptop') })).status).toBe(200);
    await api.logout();
    const [logout] = trial.tap.find('DELETE', '/.well-known/cipherlayer/session');
    expect(logout?.request.headers['x-device-id']).toBe('laptop');
    expect(logout?.response?.status).toBe(200);

    trial.expectLogged('ERR_SESSION_BINDING');
    trial.expectNoLeaks();
  });
});
