// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { describe, expect, it } from 'vitest';
import {
  bundledKey,
  isCipherlayerError,
  type KeyChoice,
  provideStaticKeyEncryption,
  SessionKeyStore,
  STATIC_KEY_SOURCE,
  StaticKeyCrypto,
  type StaticKeyEncryptionOptions,
  sessionKey,
  staticKeyInterceptor,
} from '../src/index.js';
import { outcome, setUpHttp } from './helpers/angular.js';
import { expectNoLeak } from './helpers/no-leak.js';

/** Options are checked once, when the providers are made; a mistake says what to change. */
const hexKey = randomBytes(32).toString('hex');

function configErrorOf(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    expect(isCipherlayerError(error, 'ERR_CONFIG')).toBe(true);
    return error as Error;
  }
  throw new Error('no error');
}

describe('provideStaticKeyEncryption', () => {
  const options = (extra: object) =>
    ({ key: bundledKey(hexKey), routes: 'all', ...extra }) as unknown as StaticKeyEncryptionOptions;

  it.each([
    ['an unknown option (a misspelt route)', options({ route: 'all' }), 'unknown option "route"'],
    ['a key not made by bundledKey or sessionKey', options({ key: { kind: 'bundled' } }), 'key:'],
    ['a missing key', options({ key: undefined }), 'key:'],
    ['routes missing', options({ routes: undefined }), 'routes:'],
    ['routes as a list', options({ routes: ['/api'] }), 'routes:'],
    ['encryptRequestBodies not a boolean', options({ encryptRequestBodies: 'yes' }), 'encryptRequestBodies'],
  ])('%s', (_name, bad, says) => {
    expect(configErrorOf(() => provideStaticKeyEncryption(bad)).message).toContain(says);
  });

  it('bundledKey checks the key at once and never echoes it', () => {
    const error = configErrorOf(() => bundledKey(hexKey.slice(2)));
    expect(error.message).toContain('bundledKey');
    expectNoLeak(error, [hexKey.slice(2, 30)]);
  });

  it.each([
    [{ minIterations: 0 }, 'minIterations'],
    [{ minIterations: 1.5 }, 'minIterations'],
    [{ maxIterations: 10, minIterations: 20 }, 'maxIterations'],
    [{ iterations: 1000 }, 'unknown option "iterations"'],
  ])('sessionKey(%o) is refused', (bad, says) => {
    expect(configErrorOf(() => sessionKey(bad as object)).message).toContain(says);
  });

  it('each injector gets its own session store; the key source is that store', () => {
    const choice: KeyChoice = sessionKey();
    setUpHttp(provideStaticKeyEncryption({ key: choice, routes: 'all' }));
    const first = TestBed.inject(SessionKeyStore);
    expect(TestBed.inject(STATIC_KEY_SOURCE)).toBe(first);
    expect(TestBed.inject(StaticKeyCrypto)).toBeInstanceOf(StaticKeyCrypto);
    setUpHttp(provideStaticKeyEncryption({ key: choice, routes: 'all' }));
    expect(TestBed.inject(SessionKeyStore)).not.toBe(first);
  });
});

describe('staticKeyInterceptor without provideStaticKeyEncryption', () => {
  it('fails the request with ERR_CONFIG naming the missing provider', async () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([staticKeyInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    const result = await outcome(TestBed.inject(HttpClient).get('/api/x'));
    const error = (result as { error: Error }).error;
    expect(isCipherlayerError(error, 'ERR_CONFIG')).toBe(true);
    expect(error.message).toContain('provideStaticKeyEncryption');
  });
});
