// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import {
  HttpClient,
  HttpErrorResponse,
  HttpResponse,
  provideHttpClient,
  withInterceptors,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { createClient } from '@cipherlayer/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cl1InterceptorOptions, cl1Interceptor, isCipherlayerError } from '../src/index.js';
import { outcome } from './helpers/angular.js';
import { ORIGIN, startCl1Server, type WireRecord } from './helpers/cl1-server.js';
import { expectNoLeak } from './helpers/no-leak.js';

/** cl1 through HttpClient: the interceptor hands selected requests to @cipherlayer/client. */
let backend: HttpTestingController;
let wire: WireRecord[];
afterEach(() => backend.verify());

function setUp(mode: 'stateless' | 'session' = 'session') {
  const server = startCl1Server();
  wire = server.wire;
  const api = createClient({ baseUrl: ORIGIN, mode, fetch: server.fetch });
  TestBed.resetTestingModule();
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(
        withInterceptors([
          cl1Interceptor({ fetch: api, routes: (request) => request.url.startsWith('/api/') }),
        ]),
      ),
      provideHttpClientTesting(),
    ],
  });
  backend = TestBed.inject(HttpTestingController);
  return TestBed.inject(HttpClient);
}

function expectSealedWire(secrets: readonly string[]) {
  expect(wire.length).toBeGreaterThan(0);
  const all = wire.map((r) => `${r.request}\n${r.response}`).join('\n');
  for (const secret of secrets) expect(all, `${secret} crossed the wire`).not.toContain(secret);
}

describe.each(['session', 'stateless'] as const)('%s mode', (mode) => {
  it('a GET: the component gets the plain object; the wire carries cl1 only', async () => {
    const http = setUp(mode);
    const result = await outcome(http.get('/api/balance', { params: { page: '2' } }));
    expect(result).toEqual({ ok: true, value: { balance: 'BAL-SECRET-9', page: '2' } });
    expectSealedWire(['BAL-SECRET-9']);
  });

  it('a POST: body serialised as HttpClient would, status and headers of the app', async () => {
    const http = setUp(mode);
    const result = await outcome(
      http.post(
        '/api/transfer',
        { to: 'IBAN-SECRET-DE89' },
        { observe: 'response', headers: { 'X-XSRF-TOKEN': 't1' } },
      ),
    );
    const response = (result as { value: HttpResponse<unknown> }).value;
    expect(response).toBeInstanceOf(HttpResponse);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-app')).toBe('yes');
    expect(response.body).toEqual({ received: { to: 'IBAN-SECRET-DE89' }, xsrf: 't1' });
    expectSealedWire(['IBAN-SECRET-DE89']);
  });
});

describe('responses', () => {
  it("an application error (a sealed 404) is an HttpErrorResponse with the app's own body", async () => {
    const http = setUp();
    const error = ((await outcome(http.get('/api/missing'))) as { error: HttpErrorResponse }).error;
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(error.status).toBe(404);
    expect(error.error).toEqual({ error: 'NO-SUCH-ACCOUNT' });
    expectSealedWire(['NO-SUCH-ACCOUNT']);
  });

  it("responseType 'text' and 'arraybuffer'", async () => {
    const http = setUp();
    expect(await outcome(http.get('/api/text', { responseType: 'text' }))).toEqual({
      ok: true,
      value: 'TEXT-SECRET',
    });
    const bytes = await outcome(http.get('/api/bytes', { responseType: 'arraybuffer' }));
    expect(new Uint8Array((bytes as { value: ArrayBuffer }).value)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("responseType 'blob'", async () => {
    const http = setUp();
    const blob = (await outcome(http.get('/api/bytes', { responseType: 'blob' }))) as { value: Blob };
    expect(new Uint8Array(await blob.value.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('an error body that is not JSON is handed on as text, as Angular does', async () => {
    const http = setUp();
    const error = ((await outcome(http.get('/api/failing'))) as { error: HttpErrorResponse }).error;
    expect(error.status).toBe(500);
    expect(error.error).toBe('upstream failed');
  });

  it('a success whose body is not JSON fails without quoting it', async () => {
    const http = setUp();
    const error = ((await outcome(http.get('/api/not-json'))) as { error: HttpErrorResponse }).error;
    expect(error.status).toBe(200);
    expectNoLeak(error, ['NOT-JSON-SECRET']);
  });
});

describe('failures and selection', () => {
  it('a cipherlayer failure is an HttpErrorResponse of status 0 carrying the CipherlayerError', async () => {
    const api = createClient({
      baseUrl: ORIGIN,
      mode: 'session',
      fetch: async () =>
        new Response('<html>proxy</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    });
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([cl1Interceptor({ fetch: api, routes: 'all' })])),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    const error = (
      (await outcome(TestBed.inject(HttpClient).post('/api/transfer', { pan: 'PAN-SECRET' }))) as {
        error: HttpErrorResponse;
      }
    ).error;
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(error.status).toBe(0);
    expect(isCipherlayerError(error.error)).toBe(true);
    expectNoLeak(error, ['PAN-SECRET']);
  });

  it('a route not selected goes down the chain to the normal backend, untouched', async () => {
    const http = setUp();
    const received = outcome(http.get('/assets/config.json'));
    backend.expectOne('/assets/config.json').flush({ plain: true });
    expect(await received).toEqual({ ok: true, value: { plain: true } });
    expect(wire).toEqual([]);
  });

  it('forwards what HttpClient would send: method, URL with params, headers, detected content type, credentials', async () => {
    const calls: { input: string; init: RequestInit }[] = [];
    const recording = async (input: string, init: RequestInit) => {
      calls.push({ input, init });
      return new Response('"ok"', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([cl1Interceptor({ fetch: recording, routes: 'all' })])),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    const http = TestBed.inject(HttpClient);
    await outcome(
      http.put(
        '/api/a',
        { x: 1 },
        { params: { q: 'v' }, headers: { 'x-multi': ['1', '2'] }, withCredentials: true },
      ),
    );
    await outcome(
      http.post('/api/b', 'raw', {
        headers: { 'Content-Type': 'text/csv', Accept: 'text/csv' },
        responseType: 'text',
      }),
    );
    const [first, second] = calls;
    expect(first?.input).toBe('/api/a?q=v');
    expect(first?.init.method).toBe('PUT');
    expect(first?.init.body).toBe('{"x":1}');
    expect(first?.init.credentials).toBe('include');
    const headers = first?.init.headers as Headers;
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-multi')).toBe('1, 2');
    expect(headers.get('accept')).toBe('application/json, text/plain, */*');
    const explicit = second?.init.headers as Headers;
    expect(explicit.get('content-type')).toBe('text/csv');
    expect(explicit.get('accept')).toBe('text/csv');
    expect(second?.init.credentials).toBe('same-origin');
  });

  it('unsubscribing aborts the cl1 request', async () => {
    let signal: AbortSignal | undefined;
    const hanging = (_input: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        signal = init.signal ?? undefined;
        signal?.addEventListener('abort', () => reject(signal?.reason));
      });
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(withInterceptors([cl1Interceptor({ fetch: hanging, routes: 'all' })])),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    const seen: unknown[] = [];
    const subscription = TestBed.inject(HttpClient)
      .get('/api/slow')
      .subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(signal?.aborted).toBe(false);
    subscription.unsubscribe();
    expect(signal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual([]);
  });

  it("Angular's XSRF interceptor runs first, so cl1 requests carry its header", async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: Angular's XSRF extractor reads document.cookie
    document.cookie = 'XSRF-TOKEN=xsrf-from-cookie';
    try {
      const http = setUp();
      const result = await outcome(http.post('/api/transfer', { to: 'x' }));
      expect(result).toEqual({ ok: true, value: { received: { to: 'x' }, xsrf: 'xsrf-from-cookie' } });
    } finally {
      // biome-ignore lint/suspicious/noDocumentCookie: the same cookie, removed
      document.cookie = 'XSRF-TOKEN=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
    }
  });

  it.each([
    ['no fetch', { routes: 'all' }, 'fetch:'],
    ['no routes', { fetch: async () => new Response() }, 'routes:'],
    [
      'an unknown option',
      { fetch: async () => new Response(), routes: 'all', mode: 'session' },
      'unknown option',
    ],
  ])('options are checked when it is created: %s', (_name, options, says) => {
    let error: unknown;
    try {
      cl1Interceptor(options as unknown as Cl1InterceptorOptions);
    } catch (e) {
      error = e;
    }
    expect(isCipherlayerError(error, 'ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toContain(says);
  });
});
