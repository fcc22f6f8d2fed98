import type { IncomingHttpHeaders } from 'node:http';
import { UNSAFE_REQUEST_HEADERS } from '../engine/http-rules.js';
import type { MessageForm } from '../engine/media.js';

/**
 * Rewrites an opened request's headers to describe its plaintext, as if it
 * had arrived in the clear: the inner content type and length, no transfer
 * coding, and none of the conditional or range headers (see
 * UNSAFE_REQUEST_HEADERS). A `Cipherlayer` header stays: it is ciphertext,
 * and deleting a property from Node's header object slows every later
 * header lookup of the request.
 */
export function describePlaintext(
  headers: IncomingHttpHeaders,
  exchange: { readonly contentType: string; readonly body: Uint8Array; readonly form: MessageForm },
): void {
  for (const name of UNSAFE_REQUEST_HEADERS) if (headers[name] !== undefined) delete headers[name];
  const { contentType, body } = exchange;
  if (body.length > 0 || exchange.form !== 'header') {
    headers['content-length'] = String(body.length);
    if (headers['transfer-encoding'] !== undefined) delete headers['transfer-encoding'];
  }
  if (contentType !== '') headers['content-type'] = contentType;
  else if (headers['content-type'] !== undefined) delete headers['content-type'];
}
