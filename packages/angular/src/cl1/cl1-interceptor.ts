import {
  HttpErrorResponse,
  type HttpEvent,
  HttpEventType,
  type HttpInterceptorFn,
  type HttpRequest,
} from '@angular/common/http';
import { CipherlayerError } from '@cipherlayer/core';
import { Observable } from 'rxjs';
import { isRouteSelector, type RouteSelector, selects } from '../lib/route-selector.js';
import { toFetchInit } from './fetch-request.js';
import { toHttpEvent } from './http-response.js';

/** What `createClient` from @cipherlayer/client returns, or anything with its call shape. */
export type Cl1Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface Cl1InterceptorOptions {
  /** The cl1 client: `createClient({ baseUrl, mode })` from @cipherlayer/client. */
  fetch: Cl1Fetch;
  /** Which requests go through cl1; the others continue down the chain unchanged. */
  routes: RouteSelector;
}

const KNOWN_OPTIONS = new Set(['fetch', 'routes']);

function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

function checkOptions(options: Cl1InterceptorOptions): Cl1InterceptorOptions {
  if (typeof options !== 'object' || options === null)
    throw configError('cl1Interceptor: options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw configError(`cl1Interceptor: unknown option ${JSON.stringify(name)}`);
  }
  if (typeof options.fetch !== 'function') {
    throw configError('fetch: pass the function createClient() from @cipherlayer/client returned');
  }
  if (!isRouteSelector(options.routes))
    throw configError("routes: pass 'all' or a predicate (request) => boolean");
  return { fetch: options.fetch, routes: options.routes };
}

/**
 * Selected requests are sent by the cl1 client instead of HttpClient's
 * backend, the way the client's axios adapter works: the client must own
 * the transport to re-seal a retry. Interceptors listed before this one
 * (and Angular's XSRF interceptor) see and shape the plaintext request;
 * those listed after it never see selected requests. Cipherlayer failures
 * are HttpErrorResponses of status 0 whose `error` is the CipherlayerError.
 */
export function cl1Interceptor(options: Cl1InterceptorOptions): HttpInterceptorFn {
  const { fetch, routes } = checkOptions(options);
  return (request, next) => (selects(routes, request) ? sendSealed(request, fetch) : next(request));
}

function sendSealed(request: HttpRequest<unknown>, fetch: Cl1Fetch): Observable<HttpEvent<unknown>> {
  return new Observable<HttpEvent<unknown>>((observer) => {
    const aborter = new AbortController();
    observer.next({ type: HttpEventType.Sent });
    Promise.resolve()
      .then(() => fetch(request.urlWithParams, toFetchInit(request, aborter.signal)))
      .then((response) => toHttpEvent(response, request))
      .then(
        (event) => {
          if (event instanceof HttpErrorResponse) return observer.error(event);
          observer.next(event);
          observer.complete();
        },
        (error: unknown) =>
          observer.error(
            new HttpErrorResponse({ error, status: 0, statusText: '', url: request.urlWithParams }),
          ),
      );
    return () => aborter.abort();
  });
}
