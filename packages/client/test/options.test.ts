import { X25519_SHA256_AES256GCM } from '@cipherlayer/core';
import { expect, it } from 'vitest';
import { type ClientOptions, createClient } from '../src/index.js';

/** Options are checked when the client is created; a mistake is an ERR_CONFIG that names what to change. */
const base: ClientOptions = { baseUrl: 'https://bank.example', mode: 'session' };
const PIN = `sha256/${'A'.repeat(43)}=`;

it.each([
  [
    'a misspelt option (pin for pins) is not silently ignored',
    { ...base, pin: [PIN] },
    /unknown option "pin"/,
  ],
  ['baseUrl missing', { mode: 'session' }, /baseUrl is required/],
  ['baseUrl relative', { ...base, baseUrl: '/api' }, /baseUrl is not a valid URL/],
  ['baseUrl not http(s)', { ...base, baseUrl: 'ftp://bank.example' }, /baseUrl must be http\(s\)/],
  [
    'baseUrl with credentials',
    { ...base, baseUrl: 'https://u:p@bank.example' },
    /must not contain credentials/,
  ],
  ['mode missing', { baseUrl: 'https://bank.example' }, /mode must be one of stateless, session/],
  ['encoding unknown', { ...base, encoding: 'base64' }, /encoding must be one of binary, json/],
  ['keys not a document', { ...base, keys: 'sha256/...' }, /keys must be a discovery document/],
  [
    'sessionUrl on another origin',
    { ...base, sessionUrl: 'https://auth.example/s' },
    /sessionUrl must be on the baseUrl origin/,
  ],
  ['discoveryUrl not a URL', { ...base, discoveryUrl: 'http://[' }, /discoveryUrl is not a valid URL/],
  ['pins empty', { ...base, pins: [] }, /pins must be a non-empty array/],
  ['pin malformed', { ...base, pins: ['sha256/short'] }, /each pin is "sha256\/"/],
  ['suites unknown', { ...base, suites: [{ name: 'chacha' }] }, /suites must be a non-empty list/],
  ['maxBodyBytes negative', { ...base, maxBodyBytes: -1 }, /maxBodyBytes must be a non-negative integer/],
  ['maxClockCorrectionMs fractional', { ...base, maxClockCorrectionMs: 1.5 }, /maxClockCorrectionMs must be/],
  ['fetch not a function', { ...base, fetch: 'fetch' }, /fetch must be a function/],
  ['clock not a function', { ...base, clock: 0 }, /clock must be a function/],
  ['backend not a backend', { ...base, backend: {} }, /backend must be a CryptoBackend/],
])('%s', (_name, options, message) => {
  let thrown: unknown;
  try {
    createClient(options as ClientOptions);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ name: 'CipherlayerError', code: 'ERR_CONFIG' });
  expect((thrown as Error).message).toMatch(message);
});

it('valid options create a client without touching the network', () => {
  const fetch = () => Promise.reject(new Error('no network expected'));
  const client = createClient({
    ...base,
    encoding: 'json',
    pins: [PIN],
    suites: [X25519_SHA256_AES256GCM],
    fetch,
    clock: Date.now,
    maxBodyBytes: 0,
    maxClockCorrectionMs: 0,
  });
  expect(typeof client).toBe('function');
  expect(typeof client.logout).toBe('function');
});
