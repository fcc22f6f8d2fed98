import { CipherlayerError } from '@cipherlayer/core';
import { SEALED_CACHE_CONTROL, UNSAFE_REQUEST_HEADERS, withVaryOf } from '../../engine/http-rules.js';
import type { Profile } from '../../engine/profile.js';
import type { CipherlayerProfileExchange, ProfileExchange } from '../../engine/profile-exchange.js';
import type { ProfileEndpoint } from '../../engine/profile-spec.js';
import { checkDeclaredLength } from '../../io/node-body.js';
import { webRequestView } from '../../io/request-view.js';
import { readWebBody } from '../../io/web-body.js';
import { errorResponse } from './responses.js';

type Engine = Profile<Request>;

/** A request a profile opened: the plaintext Request the app gets, and the exchange to seal its answer with. */
export interface ProfileOpenedWebRequest {
  readonly request: Request;
  readonly exchange: ProfileExchange;
}

/** Plaintext on an optional route: the Request to hand on (a copy when the body had to be read). */
export interface PassedWebRequest {
  readonly pass: Request;
}

const exchanges = new WeakMap<Request, ProfileExchange>();

/** The request a profile opened behind a plaintext Request handed to the app; undefined otherwise. */
export function getCipherlayerProfile(request: Request): CipherlayerProfileExchange | undefined {
  return exchanges.get(request);
}

function withBody(request: Request, headers: Headers, body: Uint8Array): Request {
  const { method } = request;
  // A GET cannot carry a body in the Fetch API (nor does a framework parse one).
  const sent = body.length === 0 || method === 'GET' || method === 'HEAD' ? null : body;
  return new Request(request.url, { method, headers, body: sent as BodyInit | null, signal: request.signal });
}

/** The request as the app should see it: the plaintext body and its content type. */
function plaintextRequest(request: Request, exchange: ProfileExchange): Request {
  const headers = new Headers(request.headers);
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  for (const name of UNSAFE_REQUEST_HEADERS) headers.delete(name);
  if (exchange.contentType === '') headers.delete('content-type');
  else headers.set('content-type', exchange.contentType);
  const plaintext = withBody(request, headers, exchange.body);
  exchanges.set(plaintext, exchange);
  return plaintext;
}

function plaintext(
  profile: Engine,
  policy: 'require' | 'optional',
  request: Request,
  wire: Uint8Array | undefined,
): Response | PassedWebRequest {
  if (policy === 'require')
    return errorResponse(profile.reject(new CipherlayerError('ERR_PLAINTEXT_REJECTED'), undefined));
  return { pass: wire === undefined ? request : withBody(request, new Headers(request.headers), wire) };
}

/**
 * A request on a profile's `require` or `optional` route: a refusal (a
 * Response to send), a plaintext request to hand on, or the opened request.
 */
export async function admitProfileWebRequest(
  profile: Engine,
  policy: 'require' | 'optional',
  request: Request,
  target: string,
): Promise<Response | PassedWebRequest | ProfileOpenedWebRequest> {
  try {
    const view = webRequestView(request, target);
    const intake = profile.intake(view, policy);
    if (intake === 'plaintext') return plaintext(profile, policy, request, undefined);
    let wire: Uint8Array | undefined;
    if (intake === 'body') {
      checkDeclaredLength(request.headers.get('content-length') ?? undefined, profile.maxWireBytes);
      wire = await readWebBody(request.body, profile.maxWireBytes);
    }
    const exchange = await profile.open(view, wire, request, undefined);
    if (exchange === null) return plaintext(profile, policy, request, wire);
    return { request: plaintextRequest(request, exchange), exchange };
  } catch (error) {
    return errorResponse(profile.reject(error, undefined));
  }
}

/** The app's Response to an opened request, sealed in the profile's format (or as it is, when the profile leaves it). */
export async function sealProfileWebResponse(
  profile: Engine,
  exchange: ProfileExchange,
  response: Response,
): Promise<Response> {
  if (!exchange.sealsResponse) return response;
  let body: Uint8Array;
  let answer: Awaited<ReturnType<Engine['seal']>>;
  try {
    if (response.headers.has('content-encoding'))
      throw new CipherlayerError('ERR_CONFIG', { detail: 'the body was compressed inside cipherlayer' });
    body = await readWebBody(response.body, profile.maxBodyBytes);
    answer = await profile.seal(exchange, response.status, response.headers.get('content-type') ?? '', body);
  } catch (error) {
    return errorResponse(profile.sealFailed(error, exchange, 'the response could not be sealed'));
  }
  const headers = new Headers(response.headers);
  const init = { status: response.status, statusText: response.statusText, headers };
  if (answer === null) return new Response(body.length === 0 ? null : (body as BodyInit), init);
  headers.set('content-type', answer.contentType);
  headers.set('cache-control', SEALED_CACHE_CONTROL);
  headers.set('vary', withVaryOf(headers.get('vary'), profile.vary));
  headers.delete('etag');
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  return new Response(answer.body as BodyInit, init);
}

/** Serves one of the profile's own endpoints. */
export async function serveProfileWebEndpoint(
  profile: Engine,
  endpoint: ProfileEndpoint<Request>,
  request: Request,
  target: string,
): Promise<Response> {
  try {
    checkDeclaredLength(request.headers.get('content-length') ?? undefined, endpoint.maxBodyBytes);
    const body = await readWebBody(request.body, endpoint.maxBodyBytes);
    const answer = await profile.serve(endpoint, webRequestView(request, target), body, request);
    return new Response(answer.body as BodyInit, {
      status: answer.status,
      headers: { 'content-type': answer.contentType, 'cache-control': 'no-store' },
    });
  } catch (error) {
    return errorResponse(profile.reject(error, undefined));
  }
}
