// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes } from 'node:crypto';
import { HttpErrorResponse, HttpResponse } from '@angular/common/http';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledKey, provideStaticKeyEncryption } from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { seedResponseBody } from './helpers/seed002-server.js';

/** The seed's promise: the server wraps res.json, the component receives the plain object. */
const hexKey = randomBytes(32).toString('hex');
let harness: HttpHarness;
const setUp = () => {
  harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hexKey), routes: 'all' }));
};
afterEach(() => harness.backend.verify());

describe('responses from the seed middleware', () => {
  it("the component's subscriber gets the seed's payment details as a plain object", async () => {
    setUp();
    // The component, as in the seed: this.http.get('/api/payment-details').subscribe(data => ...)
    const received = outcome(harness.http.get('/api/payment-details'));
    const request = await nextRequest(harness.backend, '/api/payment-details');
    const wire = seedResponseBody({ cardLast4: '4242', expiryMonth: 12, expiryYear: 2027 }, hexKey);
    expect(Object.keys(wire as object)).toEqual(['data']);
    request.flush(wire);
    expect(await received).toEqual({
      ok: true,
      value: { cardLast4: '4242', expiryMonth: 12, expiryYear: 2027 },
    });
  });

  it('keeps status, headers and url; only the body changes', async () => {
    setUp();
    const received = outcome(harness.http.get('/api/accounts/7', { observe: 'response' }));
    const request = await nextRequest(harness.backend, '/api/accounts/7');
    request.flush(seedResponseBody({ balance: 'BAL-1' }, hexKey), {
      status: 201,
      statusText: 'Created',
      headers: { 'x-request-id': 'r-1' },
    });
    const result = await received;
    expect(result.ok).toBe(true);
    const response = (result as { value: HttpResponse<unknown> }).value;
    expect(response).toBeInstanceOf(HttpResponse);
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(response.headers.get('x-request-id')).toBe('r-1');
    expect(response.body).toEqual({ balance: 'BAL-1' });
  });

  it('decrypts every JSON value the seed can send: arrays, strings, numbers, null, non-ASCII', async () => {
    setUp();
    for (const value of [[1, 'two', { three: 3 }], 'text', 7.5, null, { name: 'Zoë 北京 🙂' }]) {
      const received = outcome(harness.http.get('/api/value'));
      (await nextRequest(harness.backend, '/api/value')).flush(seedResponseBody(value, hexKey));
      expect(await received).toEqual({ ok: true, value });
    }
  });

  it('passes a response with no body (204) through as null: nothing to open, nothing trusted', async () => {
    setUp();
    const received = outcome(harness.http.delete('/api/cards/1', { observe: 'response' }));
    (await nextRequest(harness.backend, '/api/cards/1')).flush(null, {
      status: 204,
      statusText: 'No Content',
    });
    const result = await received;
    expect(result.ok && (result.value as HttpResponse<unknown>).body).toBeNull();
  });

  it('emits the events of observe: "events" in order, the final response decrypted', async () => {
    setUp();
    const events: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      harness.http.get('/api/events', { observe: 'events' }).subscribe({
        next: (event) => events.push(event),
        error: reject,
        complete: resolve,
      });
    });
    (await nextRequest(harness.backend, '/api/events')).flush(seedResponseBody({ n: 1 }, hexKey));
    await done;
    const last = events.at(-1);
    expect(last).toBeInstanceOf(HttpResponse);
    expect((last as HttpResponse<unknown>).body).toEqual({ n: 1 });
  });

  it('does not hand the component anything when the subscriber unsubscribes first', async () => {
    setUp();
    const seen: unknown[] = [];
    const subscription = harness.http.get('/api/slow').subscribe({
      next: (v) => seen.push(v),
      error: (e) => seen.push(e instanceof HttpErrorResponse ? 'error' : e),
    });
    const request = await nextRequest(harness.backend, '/api/slow');
    subscription.unsubscribe();
    expect(request.cancelled).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([]);
  });
});
