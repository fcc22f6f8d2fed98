import type { OpenedResponse } from '@cipherlayer/core';

/** Statuses whose responses have no body (Fetch standard "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Headers about the sealed body on the wire, not about the plaintext the caller gets. */
const WIRE_HEADERS = ['content-length', 'content-encoding', 'content-type'];

/**
 * The Response the caller gets: the server's status and headers (which cl1
 * does not protect; the status is authenticated), the decrypted body, and
 * the inner content type as `Content-Type`.
 */
export function decryptedResponse(wire: Response, opened: OpenedResponse, url: string): Response {
  const headers = new Headers(wire.headers);
  for (const name of WIRE_HEADERS) headers.delete(name);
  if (opened.contentType !== '') headers.set('content-type', opened.contentType);
  const body = NULL_BODY.has(wire.status) ? null : (opened.body as Uint8Array<ArrayBuffer>);
  const response = new Response(body, { status: wire.status, statusText: wire.statusText, headers });
  // A constructed Response has an empty url; callers of fetch expect the one they asked for.
  Object.defineProperty(response, 'url', { value: url });
  return response;
}
