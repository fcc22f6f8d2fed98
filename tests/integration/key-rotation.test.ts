import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from './helpers/bank.js';
import { type Bank, startBank, Trial } from './helpers/trial.js';

/**
 * Key rotation on a running server (`engine.setKeys`), the client
 * recovering by itself: a request sealed to a key the server dropped is
 * 422 ERR_UNKNOWN_KEY, the client fetches the discovery document again and
 * sends the request once more, sealed to the new key. Sessions outlive the
 * key they were made with; an overlapping rotation breaks nobody.
 */
const KEY_ID_OFFSET = 2; // spec/protocol.md 4.1

function rotate(bank: Bank, mode: 'replace' | 'overlap'): number {
  const { engine } = bank.server;
  const keyId = engine.keys.nextKeyId();
  const key = runFlow(nodeBackend, generateServerKey({ keyId, notBefore: Date.now() }));
  const keys = mode === 'replace' ? new ServerKeySet([key]) : engine.keys.withKey(key, Date.now());
  bank.keySets.push(keys);
  engine.setKeys(keys);
  return keyId;
}

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

  it('stateless: the old key dropped, one 422 ERR_UNKNOWN_KEY, a new discovery, the request resent', async () => {
    trial = await Trial.start(bank);
    const api = trial.connect('stateless');
    expect((await api('/api/balance', { headers: trial.headers })).status).toBe(200);
    const oldKeyId = trial.sent.messages[0]![KEY_ID_OFFSET];

    const newKeyId = rotate(bank, 'replace');
    const seen = bank.server.seen.length;
    const created = await api('/api/transfer', trial.transfer());
    expect(created.status).toBe(201);
    expect((await created.json()).confirmation).toBe(trial.server.confirmation);
    expect(bank.server.seen).toHaveLength(seen + 1);

    expect(trial.tap.find('POST', '/api/transfer').map((e) => e.response?.status)).toEqual([422, 201]);
    expect(trial.tap.find('GET', '/.well-known/cipherlayer')).toHaveLength(2);
    expect(trial.sent.messages.slice(1).map((m) => m[KEY_ID_OFFSET])).toEqual([oldKeyId, newKeyId]);
    trial.expectLogged('ERR_UNKNOWN_KEY');
    trial.expectNoLeaks();
  });

  it('session: the session outlives the rotation; the next handshake recovers the same way', async () => {
    trial = await Trial.start(bank);
    const api = trial.connect('session', 'json');
    expect((await api('/api/balance', { headers: trial.headers })).status).toBe(200);

    const newKeyId = rotate(bank, 'replace');
    expect((await api('/api/transfer', trial.transfer())).status).toBe(201);
    expect(trial.tap.find('GET', '/.well-known/cipherlayer')).toHaveLength(1);

    await api.logout();
    expect((await api('/api/balance', { headers: trial.headers })).status).toBe(200);
    const handshakes = trial.tap.find('POST', '/.well-known/cipherlayer/session');
    expect(handshakes.map((e) => e.response?.status)).toEqual([200, 422, 200]);
    expect(trial.tap.find('GET', '/.well-known/cipherlayer')).toHaveLength(2);
    const lastHandshake = JSON.parse(handshakes[2]!.request.body.toString()) as { kid: number };
    expect(lastHandshake.kid).toBe(newKeyId);
    trial.expectNoLeaks();
  });

  it('an overlapping rotation: old clients keep their key, new clients get the new one', async () => {
    trial = await Trial.start(bank);
    const early = trial.connect('stateless');
    expect((await early('/api/balance')).status).toBe(200);
    const oldKeyId = trial.sent.messages.at(-1)![KEY_ID_OFFSET];

    const newKeyId = rotate(bank, 'overlap');
    expect((await early('/api/transfer', trial.transfer())).status).toBe(201);
    expect(trial.sent.messages.at(-1)![KEY_ID_OFFSET]).toBe(oldKeyId);

    const late = trial.connect('stateless');
    expect((await late('/api/transfer', trial.transfer())).status).toBe(201);
    expect(trial.sent.messages.at(-1)![KEY_ID_OFFSET]).toBe(newKeyId);
    expect(trial.tap.find('POST', '/api/transfer').map((e) => e.response?.status)).toEqual([201, 201]);
    trial.expectNoLeaks();
  });
});
