// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { HttpContext, type HttpRequest } from '@angular/common/http';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledKey, ENCRYPTED_ROUTE, provideStaticKeyEncryption, type RouteSelector } from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { decryptOnServer, seedResponseBody } from './helpers/seed002-server.js';

/** Selected routes use the envelope; every other request and response passes through untouched. */
const key = randomBytes(32);
const hexKey = key.toString('hex');
let harness: HttpHarness;
afterEach(() => harness.backend.verify());

const sensitive: RouteSelector = (request: HttpRequest<unknown>) => request.url.startsWith('/api/payments/');
const setUp = (routes: RouteSelector = sensitive) => {
  harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hexKey), routes }));
};

describe('a URL predicate', () => {
  it('a route it does not select: request body and response body untouched, even one shaped like an envelope', async () => {
    setUp();
    const body = { query: 'public', data: 'not-an-envelope' };
    const received = outcome(harness.http.post('/api/catalog', body));
    const request = await nextRequest(harness.backend, '/api/catalog');
    expect(request.request.body).toBe(body);
    expect(request.request.headers.has('Content-Type')).toBe(false);
    const response = { data: 'yT4kQ8mR-looks-like-ciphertext' };
    request.flush(response);
    const result = await received;
    expect(result).toEqual({ ok: true, value: response });
  });

  it('a route it selects: sealed request, opened response', async () => {
    setUp();
    const received = outcome(harness.http.post('/api/payments/card', { pan: 'PAN-1' }));
    const request = await nextRequest(harness.backend, '/api/payments/card');
    const sent = request.request.body as { data: string };
    expect(decryptOnServer(sent.data, key)).toEqual({ pan: 'PAN-1' });
    request.flush(seedResponseBody({ saved: true }, hexKey));
    expect(await received).toEqual({ ok: true, value: { saved: true } });
  });

  it("'all' selects every request", async () => {
    setUp('all');
    const received = outcome(harness.http.get('/anything'));
    (await nextRequest(harness.backend, '/anything')).flush(seedResponseBody([1], hexKey));
    expect(await received).toEqual({ ok: true, value: [1] });
  });
});

describe('ENCRYPTED_ROUTE in the request context overrides the predicate', () => {
  it('true opts a request in', async () => {
    setUp();
    const context = new HttpContext().set(ENCRYPTED_ROUTE, true);
    const received = outcome(harness.http.post('/api/profile', { name: 'N' }, { context }));
    const request = await nextRequest(harness.backend, '/api/profile');
    expect(decryptOnServer((request.request.body as { data: string }).data, key)).toEqual({ name: 'N' });
    request.flush(seedResponseBody({ ok: true }, hexKey));
    expect(await received).toEqual({ ok: true, value: { ok: true } });
  });

  it('false opts a request out: the login request, before any key exists', async () => {
    setUp('all');
    const context = new HttpContext().set(ENCRYPTED_ROUTE, false);
    const body = { email: 'a@b.c', password: 'pw' };
    const received = outcome(harness.http.post('/api/login', body, { context }));
    const request = await nextRequest(harness.backend, '/api/login');
    expect(request.request.body).toBe(body);
    request.flush({ token: 't' });
    expect(await received).toEqual({ ok: true, value: { token: 't' } });
  });

  it('null (the default) defers to the predicate', async () => {
    setUp();
    const context = new HttpContext().set(ENCRYPTED_ROUTE, null);
    const received = outcome(harness.http.get('/api/public', { context }));
    (await nextRequest(harness.backend, '/api/public')).flush({ data: 'plain' });
    expect(await received).toEqual({ ok: true, value: { data: 'plain' } });
  });
});
