// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { HttpClient, HttpContext, HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ENCRYPTED_ROUTE,
  isCipherlayerError,
  provideStaticKeyEncryption,
  SessionKeyStore,
  sessionKey,
  type WrappedSessionKey,
} from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { grantSessionKey } from './helpers/login-key-server.js';
import { expectNoLeak } from './helpers/no-leak.js';
import { decryptOnServer, encrypt } from './helpers/seed002-server.js';

/**
 * The seed's mitigation end to end: no key in the bundle; the login
 * response carries { salt, iterations, wrappedKey }; the app unwraps it with
 * the password it just sent; every sealed route then uses that key.
 */
const PASSWORD = 'correct horse battery staple ✓';
const FAST = 1_000; // PBKDF2 iterations where the count is not what is tested
let harness: HttpHarness;
afterEach(() => harness.backend.verify());

interface LoginResponse {
  token: string;
  sessionKey: WrappedSessionKey;
}

/** The app's login, as the README shows it: opt the login request out, unwrap from its answer. */
async function logIn(password: string, grant: ReturnType<typeof grantSessionKey>): Promise<void> {
  const http = TestBed.inject(HttpClient);
  const store = TestBed.inject(SessionKeyStore);
  const context = new HttpContext().set(ENCRYPTED_ROUTE, false);
  const answer = firstValueFrom(
    http.post<LoginResponse>('/api/login', { email: 'ana@example.com', password }, { context }),
  );
  const request = await nextRequest(harness.backend, '/api/login');
  expect(request.request.body).toEqual({ email: 'ana@example.com', password });
  request.flush({ token: 'jwt', sessionKey: grant.wire });
  const response = await answer;
  await store.unwrapFromLogin(response.sessionKey, password);
}

describe('per-session key after login', () => {
  it('login, then a sealed POST and its sealed answer, with the default 600 000 iterations', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey(), routes: (r) => r.url !== '/api/login' }),
    );
    const grant = grantSessionKey(PASSWORD, 600_000);
    await logIn(PASSWORD, grant);
    expect(TestBed.inject(SessionKeyStore).hasKey).toBe(true);

    const received = outcome(harness.http.post('/api/transfer', { amount: 125.5 }));
    const request = await nextRequest(harness.backend, '/api/transfer');
    expect(decryptOnServer((request.request.body as { data: string }).data, grant.sessionKey)).toEqual({
      amount: 125.5,
    });
    request.flush({ data: encrypt({ balance: 'BAL-SECRET-9' }, grant.sessionKey) });
    expect(await received).toEqual({ ok: true, value: { balance: 'BAL-SECRET-9' } });
  });

  it('the session key is non-extractable AES-256-GCM', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: FAST }), routes: 'all' }),
    );
    const store = TestBed.inject(SessionKeyStore);
    await store.unwrapFromLogin(grantSessionKey(PASSWORD, FAST).wire, PASSWORD);
    const key = await store.key();
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('before login, a sealed route fails without sending: ERR_SESSION_UNKNOWN', async () => {
    harness = setUpHttp(provideStaticKeyEncryption({ key: sessionKey(), routes: 'all' }));
    const result = await outcome(harness.http.post('/api/transfer', { pan: 'PAN-SECRET' }));
    const error = (result as { error: HttpErrorResponse }).error;
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(error.status).toBe(0);
    expect(isCipherlayerError(error.error, 'ERR_SESSION_UNKNOWN')).toBe(true);
    expectNoLeak(error, ['PAN-SECRET']);
    harness.backend.expectNone('/api/transfer');
  });

  it('a wrong password: ERR_DECRYPT, no key, nothing about the password in the error', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: FAST }), routes: 'all' }),
    );
    const store = TestBed.inject(SessionKeyStore);
    const error = await store
      .unwrapFromLogin(grantSessionKey(PASSWORD, FAST).wire, 'Tr0ub4dor&3')
      .catch((e: unknown) => e);
    expect(isCipherlayerError(error, 'ERR_DECRYPT')).toBe(true);
    expect(store.hasKey).toBe(false);
    expectNoLeak(error, ['Tr0ub4dor&3', PASSWORD]);
  });

  it('a failed second login leaves no key from the first', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: FAST }), routes: 'all' }),
    );
    const store = TestBed.inject(SessionKeyStore);
    await store.unwrapFromLogin(grantSessionKey(PASSWORD, FAST).wire, PASSWORD);
    await store.unwrapFromLogin(grantSessionKey(PASSWORD, FAST).wire, 'wrong').catch(() => undefined);
    expect(store.hasKey).toBe(false);
  });

  it('a tampered wrapped key: ERR_DECRYPT', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: FAST }), routes: 'all' }),
    );
    const { wire } = grantSessionKey(PASSWORD, FAST);
    const bytes = Buffer.from(wire.wrappedKey, 'base64');
    bytes[50] = (bytes[50] as number) ^ 1;
    const error = await TestBed.inject(SessionKeyStore)
      .unwrapFromLogin({ ...wire, wrappedKey: bytes.toString('base64') }, PASSWORD)
      .catch((e: unknown) => e);
    expect(isCipherlayerError(error, 'ERR_DECRYPT')).toBe(true);
  });

  it('logout (clear) makes sealed routes fail unsent again; a response sealed under the old key no longer opens after a new login', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: FAST }), routes: 'all' }),
    );
    const store = TestBed.inject(SessionKeyStore);
    const first = grantSessionKey(PASSWORD, FAST);
    await store.unwrapFromLogin(first.wire, PASSWORD);
    store.clear();
    const unsent = await outcome(harness.http.get('/api/me'));
    expect(
      isCipherlayerError((unsent as { error: HttpErrorResponse }).error.error, 'ERR_SESSION_UNKNOWN'),
    ).toBe(true);
    harness.backend.expectNone('/api/me');

    await store.unwrapFromLogin(grantSessionKey(PASSWORD, FAST).wire, PASSWORD);
    const received = outcome(harness.http.get('/api/me'));
    (await nextRequest(harness.backend, '/api/me')).flush({ data: encrypt({ me: 1 }, first.sessionKey) });
    const stale = await received;
    expect(isCipherlayerError((stale as { error: HttpErrorResponse }).error.error, 'ERR_DECRYPT')).toBe(true);
  });

  it('a logout during a slow unwrap wins: no key is installed afterwards', async () => {
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: FAST }), routes: 'all' }),
    );
    const store = TestBed.inject(SessionKeyStore);
    const pending = store.unwrapFromLogin(grantSessionKey(PASSWORD, 200_000).wire, PASSWORD);
    store.clear();
    await pending;
    expect(store.hasKey).toBe(false);
  });
});

describe('the wire shape is checked before any work', () => {
  const good = () => grantSessionKey(PASSWORD, FAST).wire;
  it.each([
    ['not an object', () => 'x'],
    ['null', () => null],
    ['an array', () => [good()]],
    ['a missing field', () => ({ salt: good().salt, iterations: FAST })],
    ['an extra field', () => ({ ...good(), kdf: 'argon2id' })],
    ['iterations below the minimum', () => ({ ...good(), iterations: FAST - 1 })],
    ['iterations above the maximum', () => ({ ...good(), iterations: 5_000_001 })],
    ['iterations not an integer', () => ({ ...good(), iterations: 1000.5 })],
    ['iterations as a string', () => ({ ...good(), iterations: '1000' })],
    ['a salt of 8 bytes', () => ({ ...good(), salt: Buffer.alloc(8).toString('base64') })],
    ['a salt that is not base64', () => ({ ...good(), salt: 'no salt!' })],
    [
      'a wrapped key of the wrong length',
      () => ({ ...good(), wrappedKey: Buffer.alloc(59).toString('base64') }),
    ],
    ['a wrapped key that is not base64', () => ({ ...good(), wrappedKey: 42 })],
  ])('%s: ERR_MALFORMED', async (_name, wire) => {
    const store = new SessionKeyStore({ minIterations: FAST });
    const error = await store.unwrapFromLogin(wire(), PASSWORD).catch((e: unknown) => e);
    expect(isCipherlayerError(error, 'ERR_MALFORMED')).toBe(true);
    expectNoLeak(error, [PASSWORD]);
  });

  it('a salt of 64 bytes and iterations at the bounds are accepted', async () => {
    const store = new SessionKeyStore({ minIterations: FAST, maxIterations: FAST });
    await store.unwrapFromLogin(grantSessionKey(PASSWORD, FAST, 64).wire, PASSWORD);
    expect(store.hasKey).toBe(true);
  });

  it('a password that is not a string: ERR_CONFIG', async () => {
    const error = await new SessionKeyStore({ minIterations: FAST })
      .unwrapFromLogin(grantSessionKey(PASSWORD, FAST).wire, 1234 as unknown as string)
      .catch((e: unknown) => e);
    expect(isCipherlayerError(error, 'ERR_CONFIG')).toBe(true);
  });
});
