import { cipherlayerAdapter } from '@cipherlayer/client/axios';
import axios, { AxiosError } from 'axios';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * axios through the client's adapter, against every server adapter: axios
 * serialises and parses plaintext as usual, the wire carries cl1 only, and
 * the app's sealed 404 is an AxiosError whose `response` is decrypted.
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

  it.each(['stateless', 'session'] as const)('%s mode: post, get, and a sealed 404', async (mode) => {
    trial = await Trial.start(bank);
    const { client: sent, server: answers } = trial;
    const bankApi = axios.create({
      baseURL: `${trial.tap.origin}/api`,
      adapter: cipherlayerAdapter(trial.connect(mode, mode === 'session' ? 'json' : 'binary')),
      headers: trial.headers,
    });

    const created = await bankApi.post('/transfer', { to: sent.iban, amount: 125.5, memo: sent.memo });
    expect(created.status).toBe(201);
    expect(created.data).toEqual({
      received: { to: sent.iban, amount: 125.5, memo: sent.memo },
      confirmation: answers.confirmation,
    });
    expect((await bankApi.get('/balance')).data).toEqual({ balance: answers.balance });

    const missing = await bankApi.get('/accounts/7').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(AxiosError);
    expect((missing as AxiosError).response?.status).toBe(404);
    expect((missing as AxiosError).response?.data).toEqual({
      problem: 'no such account',
      reference: answers.reference,
    });

    expect(trial.tap.find('POST', '/api/transfer')[0]?.response?.status).toBe(201);
    trial.expectNoLeaks();
  });
});
