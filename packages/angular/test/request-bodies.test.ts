// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { HttpErrorResponse, HttpHeaders, HttpParams } from '@angular/common/http';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledKey, isCipherlayerError, provideStaticKeyEncryption } from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { expectNoLeak } from './helpers/no-leak.js';
import { decryptOnServer, seedResponseBody } from './helpers/seed002-server.js';

/** Request bodies of selected routes travel in the seed's envelope; the server side opens them. */
const key = randomBytes(32);
const hexKey = key.toString('hex');
let harness: HttpHarness;
afterEach(() => harness.backend.verify());
const setUp = (encryptRequestBodies?: boolean) => {
  harness = setUpHttp(
    provideStaticKeyEncryption({
      key: bundledKey(hexKey),
      routes: 'all',
      ...(encryptRequestBodies === undefined ? {} : { encryptRequestBodies }),
    }),
  );
};

describe('sealed request bodies', () => {
  it.each([
    ['POST', { amount: 125.5, to: 'DE89 3704 0044 0532 0130 00' }],
    ['PUT', [{ id: 1 }, { id: 2 }]],
    ['PATCH', { note: 'Zoë 🙂' }],
  ] as const)(
    '%s: the wire carries { data } only, and the server side opens it to the body',
    async (method, body) => {
      setUp();
      const received = outcome(harness.http.request(method, '/api/transfer', { body }));
      const request = await nextRequest(harness.backend, '/api/transfer');
      const wire = request.request.body as Record<string, unknown>;
      expect(Object.keys(wire)).toEqual(['data']);
      expect(JSON.stringify(wire)).not.toContain('DE89');
      expect(request.request.headers.get('Content-Type')).toBe('application/json');
      expect(decryptOnServer(wire.data as string, key)).toEqual(body);
      request.flush(seedResponseBody({ accepted: true }, hexKey));
      expect(await received).toEqual({ ok: true, value: { accepted: true } });
    },
  );

  it('a string body is sealed as its JSON form and keeps its value', async () => {
    setUp();
    const received = outcome(
      harness.http.post('/api/note', 'a plain note', {
        headers: new HttpHeaders({ 'Content-Type': 'text/plain' }),
      }),
    );
    const request = await nextRequest(harness.backend, '/api/note');
    expect(request.request.headers.get('Content-Type')).toBe('application/json');
    expect(decryptOnServer((request.request.body as { data: string }).data, key)).toBe('a plain note');
    request.flush(seedResponseBody(null, hexKey));
    expect(await received).toEqual({ ok: true, value: null });
  });

  it('each request has its own IV', async () => {
    setUp();
    const ivs = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const received = outcome(harness.http.post('/api/same', { same: true }));
      const request = await nextRequest(harness.backend, '/api/same');
      ivs.add(
        Buffer.from((request.request.body as { data: string }).data, 'base64')
          .subarray(0, 12)
          .toString('hex'),
      );
      request.flush(seedResponseBody({}, hexKey));
      await received;
    }
    expect(ivs.size).toBe(5);
  });

  it('a GET has no body to seal: query, headers and method are sent as they are', async () => {
    setUp();
    const params = new HttpParams().set('page', '2');
    const received = outcome(harness.http.get('/api/list', { params, headers: { 'x-trace': 't' } }));
    const request = await nextRequest(harness.backend, '/api/list?page=2');
    expect(request.request.body).toBeNull();
    expect(request.request.method).toBe('GET');
    expect(request.request.headers.get('x-trace')).toBe('t');
    request.flush(seedResponseBody({ page: 2 }, hexKey));
    expect(await received).toEqual({ ok: true, value: { page: 2 } });
  });
});

describe('bodies that cannot be sealed are never sent', () => {
  it.each([
    ['a Blob', () => new Blob(['SECRET-BLOB'])],
    ['an ArrayBuffer', () => new TextEncoder().encode('SECRET-BYTES').buffer],
    ['a Uint8Array', () => new TextEncoder().encode('SECRET-BYTES')],
    ['FormData', () => new FormData()],
    ['URLSearchParams', () => new URLSearchParams('secret=SECRET-FORM')],
  ])('%s: HttpErrorResponse status 0, ERR_CONFIG, no request', async (_name, body) => {
    setUp();
    const result = await outcome(harness.http.post('/api/upload', body()));
    expect(result.ok).toBe(false);
    const error = (result as { error: HttpErrorResponse }).error;
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(error.status).toBe(0);
    expect(isCipherlayerError(error.error, 'ERR_CONFIG')).toBe(true);
    expectNoLeak(error, ['SECRET-BLOB', 'SECRET-BYTES', 'SECRET-FORM']);
    harness.backend.expectNone('/api/upload');
  });

  it("a responseType other than 'json' is refused before sending: the answer is a JSON envelope", async () => {
    setUp();
    const result = await outcome(harness.http.get('/api/report', { responseType: 'text' }));
    const error = (result as { error: HttpErrorResponse }).error;
    expect(isCipherlayerError(error.error, 'ERR_CONFIG')).toBe(true);
    harness.backend.expectNone('/api/report');
  });
});

describe('encryptRequestBodies: false (a server written from the seed alone)', () => {
  it('sends the body as it is and still opens the response', async () => {
    setUp(false);
    const body = { plain: true };
    const received = outcome(harness.http.post('/api/seed-only', body));
    const request = await nextRequest(harness.backend, '/api/seed-only');
    expect(request.request.body).toBe(body);
    request.flush(seedResponseBody({ opened: true }, hexKey));
    expect(await received).toEqual({ ok: true, value: { opened: true } });
  });
});
