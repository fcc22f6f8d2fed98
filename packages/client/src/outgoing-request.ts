import type { Limits } from '@cipherlayer/core';
import { configError } from './errors.js';
import { readLimited } from './wire.js';

/** A caller's request, read and checked, before anything is sealed or sent. */
export interface OutgoingRequest {
  /** Origin and target: what is sent, without a fragment. */
  readonly url: string;
  readonly method: string;
  /** Path and query exactly as sent: the binding's target. */
  readonly target: string;
  /** The plaintext's content type (travels inside the message). */
  readonly contentType: string;
  readonly body: Uint8Array;
  /** The caller's headers, minus those that describe the plaintext body (they would describe the wrong body). */
  readonly headers: Headers;
  readonly signal: AbortSignal;
  readonly credentials: RequestCredentials;
  readonly keepalive: boolean;
}

const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'cipherlayer'];

/**
 * Normalises `fetch` arguments through the platform's own `Request` (method
 * names, default content types of strings, forms and Blobs), resolves the
 * URL against baseUrl, refuses other origins and HEAD, and reads the body
 * with the size limit. Nothing is sent, so a refusal here leaks nothing.
 */
export async function prepareRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  base: URL,
  limits: Limits,
): Promise<OutgoingRequest> {
  const source =
    typeof input === 'string' || input instanceof URL
      ? new Request(new URL(input, base), init)
      : new Request(input, init);
  const url = new URL(source.url);
  if (url.origin !== base.origin) {
    throw configError('the request is for another origin than baseUrl; use the platform fetch for it');
  }
  if (source.method === 'HEAD') {
    throw configError('a HEAD response has no body, so cl1 cannot authenticate it; use GET');
  }
  const body = await readLimited(source.body, limits.maxBodyBytes);
  const headers = new Headers(source.headers);
  for (const name of BODY_HEADERS) headers.delete(name);
  // From path and query, not href: `/a?` has an empty query that fetch does not send.
  const target = url.pathname + url.search;
  return {
    url: url.origin + target,
    method: source.method,
    target,
    contentType: source.headers.get('content-type') ?? '',
    body,
    headers,
    signal: source.signal,
    credentials: source.credentials,
    keepalive: source.keepalive,
  };
}
