// @vitest-environment happy-dom
// Angular's packages are partially compiled: the JIT compiler loads before any of them.
import '@angular/compiler';
import { randomBytes, randomUUID } from 'node:crypto';
import { HttpContext, HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { StaticKeySessions, staticKey } from '@cipherlayer/profiles/static-key';
import { cipherlayerFetch, type Profile } from '@cipherlayer/server';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bundledKey,
  ENCRYPTED_ROUTE,
  provideStaticKeyEncryption,
  SessionKeyStore,
  sessionKey,
  type WrappedSessionKey,
} from '../src/index.js';
import { type HttpHarness, nextRequest, outcome, setUpHttp } from './helpers/angular.js';
import { forward } from './helpers/forward.js';

/**
 * Against @cipherlayer/profiles' static-key server (the Fetch API adapter of
 * @cipherlayer/server), run in-process: sealed answers open, sealed bodies
 * reach the handler as plaintext, and the login grant unwraps in the browser.
 */
const CARD = { cardLast4: '4242', expiryMonth: 12, expiryYear: 2027 };
let harness: HttpHarness;
afterEach(() => harness.backend.verify());

interface Seen {
  path: string;
  body: unknown;
}

function appHandler(seen: Seen[], sessions?: StaticKeySessions) {
  return async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const body = request.method === 'GET' ? undefined : await request.json();
    seen.push({ path: pathname, body });
    switch (`${request.method} ${pathname}`) {
      case 'GET /api/payment-details':
        return Response.json(CARD);
      case 'POST /api/transfer':
        return Response.json({ ok: true, ...(body as object) }, { status: 201 });
      case 'POST /api/login': {
        const { password } = body as { password: string };
        const id = randomUUID();
        const grant = await (sessions as StaticKeySessions).grant({ keyId: id, password });
        return Response.json({ token: id, sessionKey: grant });
      }
      default:
        return Response.json({ error: 'not found' }, { status: 404 });
    }
  };
}

describe('the static key (the seed as written)', () => {
  const hex = randomBytes(32).toString('hex');
  const seen: Seen[] = [];
  const server = cipherlayerFetch(staticKey<Request>({ key: hex }) as Profile<Request>, appHandler(seen));

  it("GET: the profile seals the handler's JSON, the component gets the plain object", async () => {
    harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hex), routes: 'all' }));
    const received = outcome(harness.http.get('/api/payment-details'));
    const wire = await forward(await nextRequest(harness.backend, '/api/payment-details'), server);
    expect(Object.keys(JSON.parse(wire.received))).toEqual(['data']);
    expect(wire.received).not.toContain('4242');
    expect(await received).toEqual({ ok: true, value: CARD });
  });

  it('POST: the sealed body reaches the handler as plaintext, the sealed answer opens', async () => {
    harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(hex), routes: 'all' }));
    const received = outcome(harness.http.post('/api/transfer', { to: 'IBAN-SECRET', amount: 12.5 }));
    const wire = await forward(await nextRequest(harness.backend, '/api/transfer'), server);
    expect(wire.sent).not.toContain('IBAN-SECRET');
    expect(seen.at(-1)).toEqual({ path: '/api/transfer', body: { to: 'IBAN-SECRET', amount: 12.5 } });
    expect(await received).toEqual({ ok: true, value: { ok: true, to: 'IBAN-SECRET', amount: 12.5 } });
  });

  it('a request sealed under another key is refused by the server; its plain error is not an envelope and passes on', async () => {
    harness = setUpHttp(provideStaticKeyEncryption({ key: bundledKey(randomBytes(32)), routes: 'all' }));
    const received = outcome(harness.http.post('/api/transfer', { to: 'x' }));
    await forward(await nextRequest(harness.backend, '/api/transfer'), server);
    const error = ((await received) as { error: HttpErrorResponse }).error;
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.error).toMatchObject({ error: { code: expect.any(String) } });
  });
});

describe('per-session keys granted at login (StaticKeySessions)', () => {
  const ITERATIONS = 100_000; // the profile's floor, to keep the suite fast
  const PASSWORD = 'correct horse battery staple ✓';

  function start() {
    const seen: Seen[] = [];
    const sessions = new StaticKeySessions({ iterations: ITERATIONS });
    const profile = staticKey<Request>({
      sessions,
      keyId: (request) => request.headers.get('authorization')?.replace(/^Bearer /, '') ?? undefined,
    }) as Profile<Request>;
    const server = cipherlayerFetch(profile, appHandler(seen, sessions), {
      policy: (request) => (new URL(request.url).pathname === '/api/login' ? 'off' : 'require'),
    });
    harness = setUpHttp(
      provideStaticKeyEncryption({ key: sessionKey({ minIterations: ITERATIONS }), routes: 'all' }),
    );
    return { seen, server };
  }

  it('login grant → unwrap in the browser → sealed POST and answer with the session key', async () => {
    const { seen, server } = start();
    const context = new HttpContext().set(ENCRYPTED_ROUTE, false);
    const login = firstValueFrom(
      harness.http.post<{ token: string; sessionKey: WrappedSessionKey }>(
        '/api/login',
        { email: 'ana@example.com', password: PASSWORD },
        { context },
      ),
    );
    await forward(await nextRequest(harness.backend, '/api/login'), server);
    const { token, sessionKey: grant } = await login;
    await TestBed.inject(SessionKeyStore).unwrapFromLogin(grant, PASSWORD);

    const headers = { authorization: `Bearer ${token}` };
    const received = outcome(harness.http.post('/api/transfer', { to: 'IBAN-SECRET' }, { headers }));
    const wire = await forward(await nextRequest(harness.backend, '/api/transfer'), server);
    expect(wire.sent).not.toContain('IBAN-SECRET');
    expect(wire.received).not.toContain('IBAN-SECRET');
    expect(seen.at(-1)).toEqual({ path: '/api/transfer', body: { to: 'IBAN-SECRET' } });
    expect(await received).toEqual({ ok: true, value: { ok: true, to: 'IBAN-SECRET' } });
  });

  it('the grant does not unwrap with another password', async () => {
    const { server } = start();
    const context = new HttpContext().set(ENCRYPTED_ROUTE, false);
    const login = firstValueFrom(
      harness.http.post<{ sessionKey: WrappedSessionKey }>('/api/login', { password: PASSWORD }, { context }),
    );
    await forward(await nextRequest(harness.backend, '/api/login'), server);
    const { sessionKey: grant } = await login;
    await expect(
      TestBed.inject(SessionKeyStore).unwrapFromLogin(grant, 'not the password'),
    ).rejects.toMatchObject({
      code: 'ERR_DECRYPT',
    });
  });
});
