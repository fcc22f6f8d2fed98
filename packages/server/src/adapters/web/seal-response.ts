import { CipherlayerError } from '@cipherlayer/core';
import type { Exchange } from '../../engine/exchange.js';
import { SEALED_CACHE_CONTROL, sealedStatus, withVary, withVaryOf } from '../../engine/http-rules.js';
import { mediaTypeFor } from '../../engine/media.js';
import { readWebBody } from '../../io/web-body.js';
import type { Engine } from './open-request.js';
import { errorResponse } from './responses.js';

/**
 * The app's Response to an opened request, sealed: its body read up to
 * maxBodyBytes and sealed once with its status and content type; its other
 * headers kept (they travel in the clear, as the spec says).
 */
export async function sealWebResponse(
  engine: Engine,
  exchange: Exchange,
  response: Response,
): Promise<Response> {
  let sealed: Uint8Array | string;
  try {
    if (response.headers.has('content-encoding'))
      throw new CipherlayerError('ERR_CONFIG', { detail: 'the body was compressed inside cipherlayer' });
    const body = await readWebBody(response.body, engine.maxBodyBytes);
    sealed = await engine.seal(exchange, response.status, response.headers.get('content-type') ?? '', body);
  } catch (error) {
    return errorResponse(engine.sealFailed(error, exchange, 'the response could not be sealed'));
  }
  const headers = new Headers(response.headers);
  headers.set('content-type', mediaTypeFor(exchange.encoding));
  headers.set('cache-control', SEALED_CACHE_CONTROL);
  headers.set('vary', withVary(headers.get('vary')));
  headers.delete('etag');
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  return new Response(sealed as BodyInit, {
    status: sealedStatus(response.status),
    statusText: response.statusText,
    headers,
  });
}

/** A plaintext answer on an `optional` route still varies on how the request came. */
export function withPlaintextVary(response: Response, members?: string): Response {
  const vary = (existing: string | null): string =>
    members === undefined ? withVary(existing) : withVaryOf(existing, members);
  try {
    response.headers.set('vary', vary(response.headers.get('vary')));
    return response;
  } catch {
    // Immutable headers (a fetched Response): copy.
    const headers = new Headers(response.headers);
    headers.set('vary', vary(headers.get('vary')));
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
