import { CipherlayerError } from '@cipherlayer/core';
import type { NextFunction, Request, Response } from 'express';
import type { Cipherlayer } from '../../engine/cipherlayer.js';
import { SEALED_CACHE_CONTROL } from '../../engine/http-rules.js';
import {
  declaresBody,
  type MessageForm,
  mediaTypeFor,
  requestForm,
  responseEncoding,
} from '../../engine/media.js';
import type { WellKnownResource } from '../../engine/well-known.js';
import { readBody } from '../../io/node-body.js';
import { sendBody, sendErrorReply } from './send.js';

type MaybePromise<T> = T | Promise<T>;

function requestIdOf(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function refuse(engine: Cipherlayer<Request>, req: Request, res: Response, error: unknown): void {
  sendErrorReply(res, engine.reject(error, requestIdOf(req)));
}

/** Sends a cipherlayer answer (sync or async), or the error it failed with. */
function answer(
  engine: Cipherlayer<Request>,
  req: Request,
  res: Response,
  contentType: string,
  cacheControl: string,
  produce: () => MaybePromise<Uint8Array | string>,
): void {
  let body: MaybePromise<Uint8Array | string>;
  try {
    body = produce();
  } catch (error) {
    refuse(engine, req, res, error);
    return;
  }
  if (body instanceof Promise) {
    body.then(
      (value) => sendBody(res, 200, contentType, cacheControl, value),
      (error: unknown) => refuse(engine, req, res, error),
    );
  } else {
    sendBody(res, 200, contentType, cacheControl, body);
  }
}

function messageForm(req: Request): MessageForm | 'plaintext' {
  return requestForm(req.headers['content-type'], req.headers.cipherlayer as string | undefined);
}

function handshake(engine: Cipherlayer<Request>, req: Request, res: Response): void {
  const form = messageForm(req);
  if (form === 'plaintext') throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
  if (form === 'header') throw new CipherlayerError('ERR_MALFORMED');
  const { method, originalUrl: target } = req;
  readBody(req, req.headers['content-length'], engine.wireLimit(form)).then(
    (wire) =>
      answer(engine, req, res, mediaTypeFor(form), SEALED_CACHE_CONTROL, () =>
        engine.handshake(form, wire, method, target, req, requestIdOf(req)),
      ),
    (error: unknown) => refuse(engine, req, res, error),
  );
}

function logout(engine: Cipherlayer<Request>, req: Request, res: Response): void {
  const form = messageForm(req);
  if (form === 'plaintext') throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
  const encoding = responseEncoding(form, req.headers.accept);
  const { method, originalUrl: target } = req;
  const run = (wire: Uint8Array | string) =>
    answer(engine, req, res, mediaTypeFor(encoding), SEALED_CACHE_CONTROL, () =>
      engine.logout(form, encoding, wire, method, target, req, requestIdOf(req)),
    );
  if (form === 'header') {
    if (declaresBody(req.headers['content-length'], req.headers['transfer-encoding']))
      throw new CipherlayerError('ERR_MALFORMED');
    run(req.headers.cipherlayer as string);
    return;
  }
  readBody(req, req.headers['content-length'], engine.wireLimit(form)).then(run, (error: unknown) =>
    refuse(engine, req, res, error),
  );
}

/** Serves a well-known resource; other methods on those paths go on to the app. */
export function serveWellKnown(
  engine: Cipherlayer<Request>,
  resource: WellKnownResource,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const { method } = req;
  try {
    if (resource === 'session') {
      if (method === 'POST') handshake(engine, req, res);
      else if (method === 'DELETE') logout(engine, req, res);
      else next();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      next();
      return;
    }
    const contentType = resource === 'discovery' ? 'application/json' : 'application/ohttp-keys';
    answer(engine, req, res, contentType, engine.discoveryCacheControl, () => {
      const published = engine.published();
      const pick = (keys: { json: string; ohttpKeys: Uint8Array }) =>
        resource === 'discovery' ? keys.json : keys.ohttpKeys;
      return published instanceof Promise ? published.then(pick) : pick(published);
    });
  } catch (error) {
    refuse(engine, req, res, error);
  }
}
