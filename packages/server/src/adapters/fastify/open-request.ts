import { Readable } from 'node:stream';
import { CipherlayerError } from '@cipherlayer/core';
import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import type { Exchange } from '../../engine/exchange.js';
import { withVary } from '../../engine/http-rules.js';
import {
  declaresBody,
  type MessageForm,
  type RequestForm,
  type ResponseEncoding,
  requestForm,
  responseEncoding,
} from '../../engine/media.js';
import { admit } from '../../engine/policy.js';
import { readBody } from '../../io/node-body.js';
import { describePlaintext } from '../../io/plaintext-headers.js';
import { type Engine, refuse } from './reply.js';

type Done = (error?: Error | null, payload?: RequestPayload) => void;
export type PreParsing = (
  request: FastifyRequest,
  reply: FastifyReply,
  payload: RequestPayload,
  done: Done,
) => void;

/** The plaintext as the stream Fastify's content-type parsers read next. */
export function plaintextStream(body: Uint8Array): RequestPayload {
  const stream = new Readable({ read() {} });
  if (body.length > 0) stream.push(Buffer.from(body.buffer, body.byteOffset, body.length));
  stream.push(null);
  return stream;
}

/** Authenticated: the parsers, validators and handler see the plaintext from here on. */
function enter(request: FastifyRequest, exchange: Exchange, payload: RequestPayload, done: Done): void {
  request.cipherlayer = exchange;
  describePlaintext(request.headers, exchange);
  if (exchange.form === 'header' && exchange.body.length === 0) done(null, payload);
  else done(null, plaintextStream(exchange.body));
}

function open(
  engine: Engine,
  form: MessageForm,
  encoding: ResponseEncoding,
  wire: Uint8Array | string,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: RequestPayload,
  done: Done,
): void {
  let exchange: Exchange | Promise<Exchange>;
  try {
    exchange = engine.open(form, encoding, wire, request.method, request.originalUrl, request, request.id);
  } catch (error) {
    refuse(engine, request, reply, error);
    return;
  }
  if (exchange instanceof Promise) {
    exchange.then(
      (value) => enter(request, value, payload, done),
      (error: unknown) => refuse(engine, request, reply, error),
    );
  } else {
    enter(request, exchange, payload, done);
  }
}

/**
 * The preParsing hook of a `require` or `optional` route: it runs before
 * Fastify parses or validates the body. A cl1 request is opened and its
 * stream and Content-Type swapped for the plaintext's; anything refused is
 * answered here and goes no further.
 */
export function openingHook(engine: Engine, policy: 'require' | 'optional'): PreParsing {
  return function cipherlayerOpen(request, reply, payload, done) {
    const { headers } = request;
    const header = headers.cipherlayer as string | undefined;
    let form: RequestForm;
    try {
      form = requestForm(headers['content-type'], header);
    } catch (error) {
      refuse(engine, request, reply, error);
      return;
    }
    const admission = admit(policy, request.method, form);
    if (admission === 'pass') {
      reply.header('vary', withVary(reply.getHeader('vary')));
      done(null, payload);
      return;
    }
    if (admission !== 'open' || form === 'plaintext') {
      refuse(engine, request, reply, new CipherlayerError(admission === 'open' ? 'ERR_INTERNAL' : admission));
      return;
    }
    const encoding = responseEncoding(form, headers.accept);
    if (form === 'header') {
      if (declaresBody(headers['content-length'], headers['transfer-encoding'])) {
        refuse(engine, request, reply, new CipherlayerError('ERR_MALFORMED'));
        return;
      }
      open(engine, form, encoding, header as string, request, reply, payload, done);
      return;
    }
    readBody(payload, headers['content-length'], engine.wireLimit(form)).then(
      (wire) => open(engine, form, encoding, wire, request, reply, payload, done),
      (error: unknown) => refuse(engine, request, reply, error),
    );
  };
}
