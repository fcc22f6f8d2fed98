import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * A `require` route reached with the platform's plain fetch: 415
 * ERR_PLAINTEXT_REJECTED before the app runs, with nothing of the app's in
 * the answer. The values sent in the clear DO cross the tap here, which is
 * what shows the tap would have caught them in every other test.
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

  it('POST JSON and GET in the clear are 415, the handlers never run', async () => {
    trial = await Trial.start(bank);
    const seen = bank.server.seen.length;
    const refusal = { error: { code: 'ERR_PLAINTEXT_REJECTED', message: 'encrypted payload required' } };

    const post = await fetch(`${trial.tap.origin}/api/transfer`, trial.transfer());
    expect(post.status).toBe(415);
    expect(await post.json()).toEqual(refusal);
    const get = await fetch(`${trial.tap.origin}/api/balance`, { headers: trial.headers });
    expect(get.status).toBe(415);
    expect(await get.json()).toEqual(refusal);
    expect(bank.server.seen).toHaveLength(seen);

    // The control: what went in the clear is on the wire, and nothing the app would have answered.
    const wire = trial.tap.bytes();
    expect(wire.includes(Buffer.from(trial.client.iban))).toBe(true);
    trial.tap.expectNoneOf(Object.values(trial.server));
    for (const { response } of trial.tap.exchanges()) {
      // Media types compare without parameters (spec/http.md): Fastify adds a charset.
      expect(response?.headers['content-type']?.split(';')[0]).toBe('application/json');
      expect(response?.headers['cache-control']).toBe('no-store');
    }

    trial.expectLogged('ERR_PLAINTEXT_REJECTED');
    trial.bank.logs.expectNoneOf([...trial.plaintext, ...Object.values(trial.credentials)]);
  });
});
