import { ERROR_CONTENT_TYPE, type ErrorReply } from '../../engine/errors.js';
import { ERROR_CACHE_CONTROL } from '../../engine/http-rules.js';

/**
 * cipherlayer's plaintext error as a Fetch API Response. The Date header
 * matters: a client told ERR_STALE corrects its clock from it, and unlike
 * Node's HTTP server, a Response does not get one by itself.
 */
export function errorResponse(reply: ErrorReply): Response {
  return new Response(reply.body, {
    status: reply.status,
    headers: {
      'content-type': ERROR_CONTENT_TYPE,
      'cache-control': ERROR_CACHE_CONTROL,
      date: new Date().toUTCString(),
    },
  });
}

export function bodyResponse(contentType: string, cacheControl: string, body: Uint8Array | string): Response {
  return new Response(body as BodyInit, {
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': cacheControl },
  });
}

/** The request target of a Fetch API request: path and query of its URL, as the server got them. */
export function targetOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const hash = url.indexOf('#', start);
  return hash === -1 ? url.slice(start) : url.slice(start, hash);
}
