import {
  HttpErrorResponse,
  type HttpInterceptorFn,
  type HttpRequest,
  HttpResponse,
} from '@angular/common/http';
import { inject } from '@angular/core';
import { CipherlayerError, isCipherlayerError } from '@cipherlayer/core';
import { catchError, concatMap, from, of, switchMap } from 'rxjs';
import { type AesKeySource, STATIC_KEY_SOURCE } from './key-source.js';
import { STATIC_KEY_SETTINGS, type StaticKeySettings } from './providers.js';
import { isEncryptedRoute } from './route-selection.js';
import { StaticKeyCrypto } from './static-key-crypto.js';

/**
 * Seed 002's interceptor, both ways. On a selected route the request body
 * travels as `{ data }` and the response must be `{ data }`: components get
 * the plain object. A response that does not open, or is not an envelope,
 * is an HttpErrorResponse whose `error` is a CipherlayerError (ERR_DECRYPT,
 * ERR_PLAINTEXT_REJECTED) with a fixed message; a request that cannot be
 * sealed (no session key yet, a Blob body) fails without being sent.
 * Routes not selected are passed on untouched.
 */
export const staticKeyInterceptor: HttpInterceptorFn = (request, next) => {
  const settings = inject(STATIC_KEY_SETTINGS, { optional: true });
  if (settings === null) {
    throw new CipherlayerError('ERR_CONFIG', {
      detail: 'staticKeyInterceptor needs provideStaticKeyEncryption(...) among the providers',
    });
  }
  if (!isEncryptedRoute(request, settings.routes)) return next(request);
  const crypto = inject(StaticKeyCrypto);
  const keys = inject(STATIC_KEY_SOURCE);
  return from(sealRequest(request, crypto, keys, settings)).pipe(
    switchMap((sealed) =>
      next(sealed).pipe(
        catchError((error: unknown) => from(openErrorResponse(error, crypto))),
        concatMap((event) => (event instanceof HttpResponse ? from(openResponse(event, crypto)) : of(event))),
      ),
    ),
  );
};

interface Envelope {
  readonly data: string;
}

function isEnvelope(body: unknown): body is Envelope {
  return typeof body === 'object' && body !== null && typeof (body as { data?: unknown }).data === 'string';
}

/** Bodies with no JSON form: sending them sealed would garble them, sending them plain would leak them. */
function hasJsonForm(body: unknown): boolean {
  return !(
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) ||
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
  );
}

function asCipherlayerError(error: unknown, code: 'ERR_DECRYPT' | 'ERR_INTERNAL'): CipherlayerError {
  return isCipherlayerError(error) ? error : new CipherlayerError(code, { cause: error });
}

/** Status 0, like a network failure: nothing was sent, and nothing of the body is kept. */
function notSent(request: HttpRequest<unknown>, error: unknown): HttpErrorResponse {
  return new HttpErrorResponse({
    error: asCipherlayerError(error, 'ERR_INTERNAL'),
    status: 0,
    statusText: '',
    url: request.urlWithParams,
  });
}

/** The response's status and headers, a CipherlayerError in place of the body. */
function failedToOpen(
  response: HttpResponse<unknown> | HttpErrorResponse,
  error: unknown,
): HttpErrorResponse {
  return new HttpErrorResponse({
    error: asCipherlayerError(error, 'ERR_DECRYPT'),
    headers: response.headers,
    status: response.status,
    statusText: response.statusText,
    ...(response.url === null ? {} : { url: response.url }),
  });
}

async function sealRequest(
  request: HttpRequest<unknown>,
  crypto: StaticKeyCrypto,
  keys: AesKeySource,
  settings: StaticKeySettings,
): Promise<HttpRequest<unknown>> {
  try {
    if (request.responseType !== 'json') {
      throw new CipherlayerError('ERR_CONFIG', {
        detail: "an encrypted route answers a JSON envelope; use responseType 'json'",
      });
    }
    // Even without a body: a request whose answer cannot be opened is not sent.
    await keys.key();
    if (request.body === null || !settings.encryptRequestBodies) return request;
    if (!hasJsonForm(request.body)) {
      throw new CipherlayerError('ERR_CONFIG', {
        detail:
          'a request body on an encrypted route must be a JSON value (not a Blob, buffer, form or stream)',
      });
    }
    const data = await crypto.encrypt(request.body);
    return request.clone<Envelope>({ body: { data }, setHeaders: { 'Content-Type': 'application/json' } });
  } catch (error) {
    throw notSent(request, error);
  }
}

async function openResponse(
  response: HttpResponse<unknown>,
  crypto: StaticKeyCrypto,
): Promise<HttpResponse<unknown>> {
  // No body (204, or a handler that ended without res.json): nothing to open, nothing to trust.
  if (response.body === null) return response;
  try {
    if (!isEnvelope(response.body)) throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
    return response.clone({ body: await crypto.decrypt(response.body.data) });
  } catch (error) {
    throw failedToOpen(response, error);
  }
}

/**
 * The seed's middleware wraps every `res.json`, error statuses included:
 * an envelope in an error response is opened too. Any other error body (a
 * proxy's 502 page, a network failure) is passed on as it came.
 */
async function openErrorResponse(error: unknown, crypto: StaticKeyCrypto): Promise<never> {
  if (!(error instanceof HttpErrorResponse) || !isEnvelope(error.error)) throw error;
  let body: unknown;
  try {
    body = await crypto.decrypt(error.error.data);
  } catch (failure) {
    throw failedToOpen(error, failure);
  }
  throw new HttpErrorResponse({
    error: body,
    headers: error.headers,
    status: error.status,
    statusText: error.statusText,
    ...(error.url === null ? {} : { url: error.url }),
  });
}
