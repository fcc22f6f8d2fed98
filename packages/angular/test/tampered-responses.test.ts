// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { HttpErrorResponse } from '@angular/common/http';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledKey, isCipherlayerError, provideStaticKeyEncryption } from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { expectNoLeak } from './helpers/no-leak.js';
import { encrypt, seedResponseBody } from './helpers/seed002-server.js';

/**
 * A response that does not open is an HttpErrorResponse with a generic
 * message: never the body, never a hint of which check failed, never a
 * plaintext response in its place.
 */
const key = randomBytes(32);
const hexKey = key.toString('hex');
const SECRET = 'PAN-4111111111111111';
let harness: HttpHarness;
afterEach(() => harness.backend.verify());

async function answer(body: string | object, status = 200) {
  harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hexKey), routes: 'all' }));
  const received = outcome(harness.http.get('/api/card'));
  (await nextRequest(harness.backend, '/api/card')).flush(body, { status, statusText: 'OK' });
  const result = await received;
  expect(result.ok).toBe(false);
  return (result as { error: unknown }).error;
}

function flipped(payload: string, index: number): string {
  const bytes = Buffer.from(payload, 'base64');
  bytes[index] = (bytes[index] as number) ^ 0x80;
  return bytes.toString('base64');
}

describe('tampered or foreign payloads', () => {
  const sealed = (encryptWith = key) => encrypt({ cardNumber: SECRET }, encryptWith);
  it.each([
    ['a flipped ciphertext bit', () => ({ data: flipped(sealed(), 30) })],
    ['a flipped tag bit', () => ({ data: flipped(sealed(), 15) })],
    ['a payload sealed under another key', () => ({ data: sealed(randomBytes(32)) })],
    ['a truncated payload', () => ({ data: sealed().slice(0, 24) })],
    ['a payload that is not base64', () => ({ data: '%%%' })],
  ])('%s: HttpErrorResponse, ERR_DECRYPT, generic message', async (_name, body) => {
    const error = await answer(body());
    expect(error).toBeInstanceOf(HttpErrorResponse);
    const response = error as HttpErrorResponse;
    expect(response.status).toBe(200);
    expect(response.ok).toBe(false);
    expect(response.message).toBe('Http failure during parsing for /api/card');
    expect(isCipherlayerError(response.error, 'ERR_DECRYPT')).toBe(true);
    expect((response.error as Error).message).toBe('decryption operation failed');
    expectNoLeak(error, [SECRET, hexKey, key.toString('base64')]);
  });
});

describe('no downgrade: a selected route only accepts the envelope', () => {
  it.each([
    ['a plain JSON object', { cardNumber: SECRET }],
    ['an object whose data is not a string', { data: { cardNumber: SECRET } }],
    ['a plain string', SECRET],
    ['an array', [SECRET]],
  ])('%s: ERR_PLAINTEXT_REJECTED, the body is not handed on', async (_name, body) => {
    const error = (await answer(body)) as HttpErrorResponse;
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(isCipherlayerError(error.error, 'ERR_PLAINTEXT_REJECTED')).toBe(true);
    expectNoLeak(error, [SECRET]);
  });

  it('extra fields beside data are dropped, never merged into what the component gets', async () => {
    harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hexKey), routes: 'all' }));
    const received = outcome(harness.http.get('/api/card'));
    const body = { ...(seedResponseBody({ ok: 1 }, hexKey) as object), injected: 'x' };
    (await nextRequest(harness.backend, '/api/card')).flush(body);
    expect(await received).toEqual({ ok: true, value: { ok: 1 } });
  });
});
