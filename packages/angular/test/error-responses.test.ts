// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { HttpErrorResponse } from '@angular/common/http';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledKey, isCipherlayerError, provideStaticKeyEncryption } from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { encrypt, seedResponseBody } from './helpers/seed002-server.js';

/**
 * The seed's middleware wraps every res.json, so `res.status(422).json(...)`
 * arrives sealed too: the application gets its own error body, opened.
 */
const key = randomBytes(32);
const hexKey = key.toString('hex');
let harness: HttpHarness;
afterEach(() => harness.backend.verify());

async function failWith(
  body: string | object,
  status: number,
  statusText: string,
): Promise<HttpErrorResponse> {
  harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hexKey), routes: 'all' }));
  const received = outcome(harness.http.post('/api/transfer', { amount: 1 }));
  (await nextRequest(harness.backend, '/api/transfer')).flush(body, {
    status,
    statusText,
    headers: { 'x-request-id': 'r-9' },
  });
  const result = await received;
  expect(result.ok).toBe(false);
  const error = (result as { error: unknown }).error;
  expect(error).toBeInstanceOf(HttpErrorResponse);
  return error as HttpErrorResponse;
}

describe('error responses', () => {
  it('a sealed error body is opened: status, headers and the application’s own error object', async () => {
    const error = await failWith(
      seedResponseBody({ error: 'insufficient funds' }, hexKey),
      422,
      'Unprocessable',
    );
    expect(error.status).toBe(422);
    expect(error.statusText).toBe('Unprocessable');
    expect(error.headers.get('x-request-id')).toBe('r-9');
    expect(error.url).toBe('/api/transfer');
    expect(error.error).toEqual({ error: 'insufficient funds' });
  });

  it('a tampered sealed error body: ERR_DECRYPT, same status', async () => {
    const sealed = Buffer.from(encrypt({ error: 'x' }, key), 'base64');
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1;
    const error = await failWith({ data: sealed.toString('base64') }, 400, 'Bad Request');
    expect(error.status).toBe(400);
    expect(isCipherlayerError(error.error, 'ERR_DECRYPT')).toBe(true);
  });

  it('an error body that is not an envelope (a proxy page, a framework 404) is passed on as it came', async () => {
    const error = await failWith('<html>502 Bad Gateway</html>', 502, 'Bad Gateway');
    expect(error.status).toBe(502);
    expect(error.error).toBe('<html>502 Bad Gateway</html>');
  });

  it('a network failure is passed on as it came', async () => {
    harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hexKey), routes: 'all' }));
    const received = outcome(harness.http.get('/api/down'));
    const event = new ProgressEvent('error');
    (await nextRequest(harness.backend, '/api/down')).error(event);
    const result = await received;
    const error = (result as { error: HttpErrorResponse }).error;
    expect(error.status).toBe(0);
    expect(error.error).toBe(event);
  });
});
