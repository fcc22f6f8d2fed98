import { CipherlayerError } from '@cipherlayer/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Cipherlayer } from '../../engine/cipherlayer.js';
import { configError } from '../../engine/errors.js';
import type { CipherlayerExchange, Exchange } from '../../engine/exchange.js';
import { withVary } from '../../engine/http-rules.js';
import {
  declaresBody,
  type MessageForm,
  type RequestForm,
  type ResponseEncoding,
  requestForm,
  responseEncoding,
} from '../../engine/media.js';
import { admit, checkPolicy, isPolicy, type Policy, type PolicyChoice } from '../../engine/policy.js';
import type { CipherlayerProfileExchange, ProfileExchange } from '../../engine/profile-exchange.js';
import { type Protection, type Protections, protectionsOf } from '../../engine/protections.js';
import { presentPlaintext } from './plaintext-request.js';
import { admitProfile, serveProfileEndpoint } from './profile-request.js';
import { type Refuser, readWire, refuse, requestIdOf } from './refusal.js';
import { sealResponses } from './sealing-response.js';
import { serveWellKnown } from './well-known.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by cipherlayer when the request was a cl1 message it opened. */
      cipherlayer?: CipherlayerExchange;
      /** Set when a profile (rsa-session, static-key, jwe) opened the request. */
      cipherlayerProfile?: CipherlayerProfileExchange;
    }
  }
}

export interface ExpressCipherlayerOptions {
  /**
   * `require` (default), `optional`, `off`, or a function of the request
   * returning one of them. Applies to every request this middleware sees.
   */
  policy?: PolicyChoice<Request>;
  /** Serve the well-known resources (discovery, handshake, logout) from this middleware. Default true. */
  wellKnown?: boolean;
}

type Engine = Cipherlayer<Request>;

/** The request is authenticated: from here on the app sees plaintext and every answer is sealed. */
function enter(engine: Engine, exchange: Exchange, req: Request, res: Response, next: NextFunction): void {
  req.cipherlayer = exchange;
  sealResponses(engine, exchange, res);
  const parseError = presentPlaintext(req, exchange);
  if (parseError === undefined) next();
  else next(parseError);
}

function open(
  engine: Engine,
  form: MessageForm,
  encoding: ResponseEncoding,
  wire: Uint8Array | string,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  let exchange: Exchange | Promise<Exchange>;
  try {
    exchange = engine.open(form, encoding, wire, req.method, req.originalUrl, req, requestIdOf(req));
  } catch (error) {
    refuse(engine, req, res, error);
    return;
  }
  if (exchange instanceof Promise) {
    exchange.then(
      (value) => enter(engine, value, req, res, next),
      (error: unknown) => refuse(engine, req, res, error),
    );
  } else {
    enter(engine, exchange, req, res, next);
  }
}

function choose(choice: (req: Request) => Policy, req: Request): Policy {
  const policy = choice(req);
  // A policy function that returns nonsense fails closed.
  return isPolicy(policy) ? policy : 'require';
}

/**
 * A request an outer cipherlayer middleware already opened goes on when this
 * one accepts what opened it and no override changed its method since (the
 * message was bound to the method it was opened for); anything else is 415.
 */
function nested(p: Protections<Request>, req: Request, res: Response, next: NextFunction): boolean {
  const opened = req.cipherlayer as Exchange | undefined;
  const byProfile = req.cipherlayerProfile as ProfileExchange | undefined;
  if (opened === undefined && byProfile === undefined) return false;
  const accepted =
    opened !== undefined
      ? p.engine !== undefined && opened.method === req.method
      : p.profile?.name === byProfile?.profile && byProfile?.method === req.method;
  if (accepted) next();
  else refuse((p.engine ?? p.profile) as Refuser, req, res, new CipherlayerError('ERR_PLAINTEXT_REJECTED'));
  return true;
}

function protect(
  p: Protections<Request>,
  choice: PolicyChoice<Request>,
  wellKnown: boolean,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (nested(p, req, res, next)) return;
  const { engine, profile } = p;
  if (wellKnown) {
    const resource = engine?.wellKnown(req.originalUrl);
    if (resource !== undefined) {
      serveWellKnown(engine as Engine, resource, req, res, next);
      return;
    }
    const endpoint = profile?.endpoint(req.method, req.originalUrl);
    if (endpoint !== undefined && profile !== undefined) {
      serveProfileEndpoint(profile, endpoint, req, res);
      return;
    }
  }
  const policy = typeof choice === 'function' ? choose(choice, req) : choice;
  if (policy === 'off') {
    next();
    return;
  }
  if (engine === undefined) {
    admitProfile(profile as NonNullable<typeof profile>, policy, req, res, next);
    return;
  }
  const { headers } = req;
  const header = headers.cipherlayer as string | undefined;
  let form: RequestForm;
  try {
    form = requestForm(headers['content-type'], header);
  } catch (error) {
    refuse(engine, req, res, error);
    return;
  }
  // Not a cl1 message: the profile's, when the route lists one.
  if (profile !== undefined && form === 'plaintext') {
    admitProfile(profile, policy, req, res, next);
    return;
  }
  admitCl1(engine, policy, form, header, req, res, next);
}

function admitCl1(
  engine: Engine,
  policy: 'require' | 'optional',
  form: RequestForm,
  header: string | undefined,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const { headers } = req;
  const admission = admit(policy, req.method, form);
  if (admission === 'pass') {
    res.setHeader('vary', withVary(res.getHeader('vary')));
    next();
    return;
  }
  if (admission !== 'open' || form === 'plaintext') {
    refuse(engine, req, res, new CipherlayerError(admission === 'open' ? 'ERR_INTERNAL' : admission));
    return;
  }
  const encoding = responseEncoding(form, headers.accept);
  if (form === 'header') {
    if (declaresBody(headers['content-length'], headers['transfer-encoding'])) {
      refuse(engine, req, res, new CipherlayerError('ERR_MALFORMED'));
      return;
    }
    open(engine, form, encoding, header as string, req, res, next);
    return;
  }
  readWire(req, engine.wireLimit(form)).then(
    (wire) => open(engine, form, encoding, wire, req, res, next),
    (error: unknown) => refuse(engine, req, res, error),
  );
}

const OPTION_NAMES: readonly string[] = ['policy', 'wellKnown'];

/**
 * Express 5 middleware. Mount it on the app, a router or a single route:
 *
 * ```ts
 * app.use(cipherlayer(engine));                                   // every route after it: require
 * router.use(cipherlayer(engine, { policy: 'optional' }));         // one router
 * app.post('/transfer', cipherlayer(engine), handler);             // one route
 * app.post('/legacy', cipherlayer(staticKey), handler);            // a seed profile
 * app.use('/api', cipherlayer([engine, rsaSession]));              // cl1 or the profile, during a migration
 * ```
 *
 * An inner middleware after an outer one that already opened the request
 * only checks that it accepts what opened it and that the method did not
 * change since; a plaintext request passed by an outer `optional` one is
 * refused by an inner `require` one. Route handlers do not change:
 * `req.body` is the plaintext, and whatever they send is sealed.
 */
export function cipherlayer(
  protection: Protection<Request> | readonly Protection<Request>[],
  options: ExpressCipherlayerOptions = {},
): RequestHandler {
  const protections = protectionsOf(protection, 'cipherlayer(engine)');
  if (typeof options !== 'object' || options === null) throw configError('options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key))
      throw configError(
        `cipherlayer(engine, options): unknown option "${key}"; known: ${OPTION_NAMES.join(', ')}`,
      );
  }
  const policy = checkPolicy<Request>(options.policy ?? 'require', 'policy');
  const wellKnown = options.wellKnown ?? true;
  if (typeof wellKnown !== 'boolean') throw configError('wellKnown must be true or false');
  return function cipherlayerMiddleware(req: Request, res: Response, next: NextFunction): void {
    protect(protections, policy, wellKnown, req, res, next);
  };
}
