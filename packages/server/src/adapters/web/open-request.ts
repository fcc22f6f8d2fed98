import { CipherlayerError } from '@cipherlayer/core';
import type { Cipherlayer } from '../../engine/cipherlayer.js';
import type { Exchange } from '../../engine/exchange.js';
import { UNSAFE_REQUEST_HEADERS } from '../../engine/http-rules.js';
import {
  declaresBody,
  MESSAGE_HEADER,
  type MessageForm,
  requestForm,
  responseEncoding,
} from '../../engine/media.js';
import { admit } from '../../engine/policy.js';
import { checkDeclaredLength } from '../../io/node-body.js';
import { readWebBody } from '../../io/web-body.js';
import { errorResponse } from './responses.js';

export type Engine = Cipherlayer<Request>;

/** An opened request: the plaintext Request the app gets, and the exchange to seal its answer with. */
export interface OpenedWebRequest {
  readonly request: Request;
  readonly exchange: Exchange;
}

const exchanges = new WeakMap<Request, Exchange>();

/** The opened cl1 request behind a plaintext Request handed to the app; undefined for plaintext. */
export function exchangeOf(request: Request): Exchange | undefined {
  return exchanges.get(request);
}

/** The message from the header or the body, read up to cipherlayer's limits. */
async function readWire(engine: Engine, form: MessageForm, request: Request): Promise<Uint8Array | string> {
  const { headers } = request;
  if (form === 'header') {
    // A header-mode request has no body; one that has both is malformed.
    if (
      declaresBody(headers.get('content-length') ?? undefined, headers.get('transfer-encoding') ?? undefined)
    )
      throw new CipherlayerError('ERR_MALFORMED');
    if (request.body !== null && (await readWebBody(request.body, 0).catch(() => undefined)) === undefined)
      throw new CipherlayerError('ERR_MALFORMED');
    return headers.get(MESSAGE_HEADER) as string;
  }
  const limit = engine.wireLimit(form);
  checkDeclaredLength(headers.get('content-length') ?? undefined, limit);
  return await readWebBody(request.body, limit);
}

/** The request as the app should see it: the plaintext body and its content type. */
function plaintextRequest(request: Request, exchange: Exchange): Request {
  const headers = new Headers(request.headers);
  headers.delete(MESSAGE_HEADER);
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  for (const name of UNSAFE_REQUEST_HEADERS) headers.delete(name);
  if (exchange.contentType === '') headers.delete('content-type');
  else headers.set('content-type', exchange.contentType);
  const { method } = request;
  // A GET cannot carry a body in the Fetch API (nor does a framework parse one).
  const body = exchange.body.length === 0 || method === 'GET' ? null : exchange.body;
  const plaintext = new Request(request.url, {
    method,
    headers,
    body: body as BodyInit | null,
    signal: request.signal,
  });
  exchanges.set(plaintext, exchange);
  return plaintext;
}

/**
 * What to do with a request on a `require` or `optional` route: a refusal
 * (a Response to send), `pass` (plaintext on an optional route), or the
 * opened request.
 */
export async function admitWebRequest(
  engine: Engine,
  policy: 'require' | 'optional',
  request: Request,
  target: string,
): Promise<Response | 'pass' | OpenedWebRequest> {
  const { headers } = request;
  const requestId = undefined;
  try {
    const form = requestForm(
      headers.get('content-type') ?? undefined,
      headers.get(MESSAGE_HEADER) ?? undefined,
    );
    const admission = admit(policy, request.method, form);
    if (admission === 'pass') return 'pass';
    if (admission !== 'open' || form === 'plaintext')
      throw new CipherlayerError(admission === 'open' ? 'ERR_INTERNAL' : admission);
    const encoding = responseEncoding(form, headers.get('accept') ?? undefined);
    const wire = await readWire(engine, form, request);
    const exchange = await engine.open(form, encoding, wire, request.method, target, request, requestId);
    return { request: plaintextRequest(request, exchange), exchange };
  } catch (error) {
    return errorResponse(engine.reject(error, requestId));
  }
}
