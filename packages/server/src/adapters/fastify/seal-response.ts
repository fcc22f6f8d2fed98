import { CipherlayerError } from '@cipherlayer/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CONTENT_TYPE, type ErrorReply } from '../../engine/errors.js';
import type { Exchange } from '../../engine/exchange.js';
import {
  ERROR_CACHE_CONTROL,
  SEALED_CACHE_CONTROL,
  sealedStatus,
  withVary,
} from '../../engine/http-rules.js';
import { mediaTypeFor } from '../../engine/media.js';
import { type BodyStream, readBody } from '../../io/node-body.js';
import { readWebBody } from '../../io/web-body.js';
import { asBuffer, type Engine } from './reply.js';

export type Done = (error: Error | null, payload?: unknown) => void;
export type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done) => void;

const EMPTY = Buffer.alloc(0);

/** The serialised payload as bytes: strings and Buffers at once, streams and Responses read up to the limit. */
export function payloadBytes(
  payload: unknown,
  reply: FastifyReply,
  limit: number,
): Uint8Array | Promise<Uint8Array> {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (payload === undefined || payload === null) return EMPTY;
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof Response) {
    reply.code(payload.status);
    payload.headers.forEach((value, name) => {
      reply.header(name, value);
    });
    return readWebBody(payload.body, limit);
  }
  if (typeof (payload as { pipe?: unknown }).pipe === 'function')
    return readBody(payload as BodyStream, undefined, limit);
  if (typeof (payload as { getReader?: unknown }).getReader === 'function')
    return readWebBody(payload as ReadableStream<Uint8Array>, limit);
  return Buffer.from(String(payload), 'utf8');
}

function fail(
  engine: Engine,
  exchange: Exchange,
  reply: FastifyReply,
  error: unknown,
  reason: string,
  done: Done,
): void {
  answerFailure(engine.sealFailed(error, exchange, reason), reply, done);
}

/** Replaces the app's answer with cipherlayer's plaintext error. */
export function answerFailure(failure: ErrorReply, reply: FastifyReply, done: Done): void {
  for (const name of ['etag', 'content-encoding', 'content-length']) drop(reply, name);
  reply
    .code(failure.status)
    .header('content-type', ERROR_CONTENT_TYPE)
    .header('cache-control', ERROR_CACHE_CONTROL);
  done(null, failure.body);
}

/** Removes a header only when present: Fastify deletes from its header object, which slows it down for good. */
export function drop(reply: FastifyReply, name: string): void {
  if (reply.getHeader(name) !== undefined) reply.removeHeader(name);
}

function finish(exchange: Exchange, reply: FastifyReply, sealed: Uint8Array | string, done: Done): void {
  const status = reply.statusCode;
  if (sealedStatus(status) !== status) reply.code(sealedStatus(status));
  reply
    .header('content-type', mediaTypeFor(exchange.encoding))
    .header('cache-control', SEALED_CACHE_CONTROL)
    .header('vary', withVary(reply.getHeader('vary')));
  drop(reply, 'etag');
  drop(reply, 'content-length');
  done(null, asBuffer(sealed));
}

function seal(engine: Engine, exchange: Exchange, reply: FastifyReply, body: Uint8Array, done: Done): void {
  const contentType = reply.getHeader('content-type');
  let sealed: Uint8Array | string | Promise<Uint8Array | string>;
  try {
    sealed = engine.seal(
      exchange,
      reply.statusCode,
      contentType === undefined ? '' : String(contentType),
      body,
    );
  } catch (error) {
    fail(engine, exchange, reply, error, 'sealing failed', done);
    return;
  }
  if (sealed instanceof Promise) {
    sealed.then(
      (value) => finish(exchange, reply, value, done),
      (error: unknown) => fail(engine, exchange, reply, error, 'sealing failed', done),
    );
  } else {
    finish(exchange, reply, sealed, done);
  }
}

/**
 * The onSend hook of a `require` or `optional` route: after serialisation
 * and after every other onSend hook, it seals the payload of an opened
 * request (a plaintext request on an `optional` route goes out as it is).
 */
export function sealingHook(engine: Engine): OnSend {
  return function cipherlayerSeal(request, reply, payload, done) {
    const exchange = request.cipherlayer as Exchange | null;
    if (exchange === null || exchange.settled) {
      done(null, payload);
      return;
    }
    if (reply.getHeader('content-encoding') !== undefined) {
      const reason = 'the body was compressed before sealing: register compression outside cipherlayer';
      fail(engine, exchange, reply, new CipherlayerError('ERR_CONFIG'), reason, done);
      return;
    }
    let body: Uint8Array | Promise<Uint8Array>;
    try {
      body = payloadBytes(payload, reply, engine.maxBodyBytes);
    } catch (error) {
      fail(engine, exchange, reply, error, 'unreadable payload', done);
      return;
    }
    if (body instanceof Promise) {
      body.then(
        (bytes) => seal(engine, exchange, reply, bytes, done),
        (error: unknown) => fail(engine, exchange, reply, error, 'response body over maxBodyBytes', done),
      );
    } else {
      seal(engine, exchange, reply, body, done);
    }
  };
}
