import { CipherlayerError } from '@cipherlayer/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Cipherlayer } from '../../engine/cipherlayer.js';
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
import { readBody } from '../../io/node-body.js';
import { presentPlaintext } from './plaintext-request.js';
import { refuseSealed, sealResponses } from './sealing-response.js';
import { sendErrorReply } from './send.js';
import { serveWellKnown } from './well-known.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by cipherlayer when the request was a cl1 message it opened. */
      cipherlayer?: CipherlayerExchange;
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

function requestIdOf(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function refuse(engine: Engine, req: Request, res: Response, error: unknown): void {
  const reply = engine.reject(error, requestIdOf(req));
  if (!refuseSealed(res, reply)) sendErrorReply(res, reply);
}

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

/** The body, unless a parser mounted before cipherlayer already consumed it into a Buffer or string. */
function readWire(req: Request, limit: number): Promise<Uint8Array> {
  if (!req.readableEnded) return readBody(req, req.headers['content-length'], limit);
  const body: unknown = req.body;
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : undefined;
  if (bytes === undefined) {
    const detail = 'the request body was consumed before cipherlayer: mount cipherlayer before body parsers';
    return Promise.reject(new CipherlayerError('ERR_INTERNAL', { cause: new Error(detail) }));
  }
  if (bytes.length > limit) return Promise.reject(new CipherlayerError('ERR_TOO_LARGE'));
  return Promise.resolve(bytes);
}

function choose(choice: (req: Request) => Policy, req: Request): Policy {
  const policy = choice(req);
  // A policy function that returns nonsense fails closed.
  return isPolicy(policy) ? policy : 'require';
}

function protect(
  engine: Engine,
  choice: PolicyChoice<Request>,
  wellKnown: boolean,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const opened = req.cipherlayer as Exchange | undefined;
  if (opened !== undefined) {
    // Opened by an outer cipherlayer middleware. A method changed since (an
    // override middleware) would reach a handler the message was not bound to.
    if (opened.method === req.method) next();
    else refuse(engine, req, res, new CipherlayerError('ERR_PLAINTEXT_REJECTED'));
    return;
  }
  if (wellKnown) {
    const resource = engine.wellKnown(req.originalUrl);
    if (resource !== undefined) {
      serveWellKnown(engine, resource, req, res, next);
      return;
    }
  }
  const policy = typeof choice === 'function' ? choose(choice, req) : choice;
  if (policy === 'off') {
    next();
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
 * ```
 *
 * An inner middleware after an outer one that already opened the request
 * only checks that the method did not change since; a plaintext request
 * passed by an outer `optional` one is refused by an inner `require` one.
 * Route handlers do not change: `req.body` is the plaintext, and whatever
 * they send is sealed.
 */
export function cipherlayer(engine: Engine, options: ExpressCipherlayerOptions = {}): RequestHandler {
  if (!(engine instanceof Cipherlayer))
    throw configError('cipherlayer(engine): pass what createCipherlayer() returned');
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
    protect(engine, policy, wellKnown, req, res, next);
  };
}
