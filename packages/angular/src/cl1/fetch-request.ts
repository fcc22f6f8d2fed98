import type { HttpRequest } from '@angular/common/http';

/**
 * An HttpRequest as `fetch` arguments, the way Angular's own backends send
 * it: every header value, the serialised body, the content type Angular
 * would detect, and its default Accept.
 */
export function toFetchInit(request: HttpRequest<unknown>, signal: AbortSignal): RequestInit {
  const headers = new Headers();
  for (const name of request.headers.keys()) {
    for (const value of request.headers.getAll(name) ?? []) headers.append(name, value);
  }
  if (!headers.has('Accept')) headers.set('Accept', 'application/json, text/plain, */*');
  const body = request.serializeBody();
  if (body !== null && !headers.has('Content-Type')) {
    const detected = request.detectContentTypeHeader();
    if (detected !== null) headers.set('Content-Type', detected);
  }
  return {
    method: request.method,
    headers,
    body,
    credentials: request.withCredentials ? 'include' : 'same-origin',
    signal,
  };
}
