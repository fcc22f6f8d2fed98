import { CipherlayerError } from '@cipherlayer/core';
import type { NextFunction, Request, Response } from 'express';
import { withVaryOf } from '../../engine/http-rules.js';
import type { Profile } from '../../engine/profile.js';
import type { ProfileExchange } from '../../engine/profile-exchange.js';
import type { EndpointAnswer, ProfileEndpoint, ProfileRequest } from '../../engine/profile-spec.js';
import { nodeRequestView } from '../../io/request-view.js';
import { presentBody, presentPlaintext } from './plaintext-request.js';
import { readWire, refuse, requestIdOf } from './refusal.js';
import { sealProfileResponses } from './sealing-response.js';
import { sendBody } from './send.js';

type MaybePromise<T> = T | Promise<T>;
type Engine = Profile<Request>;

/** Marks a request whose body a profile read and passed on in the clear: an inner middleware must not read it again. */
const kReadInClear = Symbol('cipherlayer.readInClear');
type MarkedRequest = Request & { [kReadInClear]?: true };

function viewOf(req: Request): ProfileRequest {
  return nodeRequestView(req.method, req.originalUrl, req.headers, req.ip ?? req.socket?.remoteAddress);
}

/** Not the profile's message: refused on `require`, handed on on `optional` (with the body, if it was read). */
function plaintext(
  profile: Engine,
  policy: 'require' | 'optional',
  wire: Uint8Array | undefined,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (policy === 'require') {
    refuse(profile, req, res, new CipherlayerError('ERR_PLAINTEXT_REJECTED'));
    return;
  }
  res.setHeader('vary', withVaryOf(res.getHeader('vary'), profile.vary));
  if (wire === undefined) {
    next();
    return;
  }
  (req as MarkedRequest)[kReadInClear] = true;
  const parseError = presentBody(req, req.headers['content-type'] ?? '', wire);
  if (parseError === undefined) next();
  else next(parseError);
}

/** Authenticated: the app sees the plaintext from here on, and its answer is sealed when the profile says so. */
function enter(
  profile: Engine,
  policy: 'require' | 'optional',
  exchange: ProfileExchange | null,
  wire: Uint8Array | undefined,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (exchange === null) {
    plaintext(profile, policy, wire, req, res, next);
    return;
  }
  req.cipherlayerProfile = exchange;
  if (exchange.sealsResponse) sealProfileResponses(profile, exchange, res);
  const parseError = presentPlaintext(req, exchange);
  if (parseError === undefined) next();
  else next(parseError);
}

function open(
  profile: Engine,
  policy: 'require' | 'optional',
  view: ProfileRequest,
  wire: Uint8Array | undefined,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  let exchange: MaybePromise<ProfileExchange | null>;
  try {
    exchange = profile.open(view, wire, req, requestIdOf(req));
  } catch (error) {
    refuse(profile, req, res, error);
    return;
  }
  if (exchange instanceof Promise) {
    exchange.then(
      (value) => enter(profile, policy, value, wire, req, res, next),
      (error: unknown) => refuse(profile, req, res, error),
    );
  } else {
    enter(profile, policy, exchange, wire, req, res, next);
  }
}

/** A request on a route of this profile (cl1 messages were dealt with before, when the route lists cl1 too). */
export function admitProfile(
  profile: Engine,
  policy: 'require' | 'optional',
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  if ((req as MarkedRequest)[kReadInClear]) {
    plaintext(profile, policy, undefined, req, res, next);
    return;
  }
  const view = viewOf(req);
  let intake: ReturnType<Engine['intake']>;
  try {
    intake = profile.intake(view, policy);
  } catch (error) {
    refuse(profile, req, res, error);
    return;
  }
  if (intake === 'plaintext') plaintext(profile, policy, undefined, req, res, next);
  else if (intake === 'headers') open(profile, policy, view, undefined, req, res, next);
  else
    readWire(req, profile.maxWireBytes).then(
      (wire) => open(profile, policy, view, wire, req, res, next),
      (error: unknown) => refuse(profile, req, res, error),
    );
}

/** Serves one of the profile's own endpoints (rsa-session's session creation, jwe's key set). */
export function serveProfileEndpoint(
  profile: Engine,
  endpoint: ProfileEndpoint<Request>,
  req: Request,
  res: Response,
): void {
  const view = viewOf(req);
  const send = (answer: EndpointAnswer): void =>
    sendBody(res, answer.status, answer.contentType, 'no-store', answer.body);
  const run = (body: Uint8Array): void => {
    let answer: MaybePromise<EndpointAnswer>;
    try {
      answer = profile.serve(endpoint, view, body, req);
    } catch (error) {
      refuse(profile, req, res, error);
      return;
    }
    if (answer instanceof Promise) answer.then(send, (error: unknown) => refuse(profile, req, res, error));
    else send(answer);
  };
  readWire(req, endpoint.maxBodyBytes).then(run, (error: unknown) => refuse(profile, req, res, error));
}
