import { CipherlayerError } from '@cipherlayer/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SEALED_CACHE_CONTROL } from '../../engine/http-rules.js';
import { declaresBody, mediaTypeFor, requestForm, responseEncoding } from '../../engine/media.js';
import type { PublishedKeys } from '../../engine/well-known.js';
import { readBody } from '../../io/node-body.js';
import type { PreParsing } from './open-request.js';
import { asBuffer, type Engine, refuse } from './reply.js';

type MaybePromise<T> = T | Promise<T>;

/** Sends an answer cipherlayer produced (sync or async) with status 200, or the error it failed with. */
function answer(
  engine: Engine,
  request: FastifyRequest,
  reply: FastifyReply,
  contentType: string,
  cacheControl: string,
  produce: () => MaybePromise<Uint8Array | string>,
): void {
  const send = (body: Uint8Array | string): void => {
    reply
      .code(200)
      .header('content-type', contentType)
      .header('cache-control', cacheControl)
      .send(asBuffer(body));
  };
  let body: MaybePromise<Uint8Array | string>;
  try {
    body = produce();
  } catch (error) {
    refuse(engine, request, reply, error);
    return;
  }
  if (body instanceof Promise) body.then(send, (error: unknown) => refuse(engine, request, reply, error));
  else send(body);
}

/**
 * The session endpoint works in preParsing, like the opening hook, so that
 * it reads the body with cipherlayer's limits and answers with its error
 * bodies; the route handler is never reached.
 */
function handshakeHook(engine: Engine): PreParsing {
  return (request, reply, payload) => {
    const { headers } = request;
    let form: ReturnType<typeof requestForm>;
    try {
      form = requestForm(headers['content-type'], headers.cipherlayer as string | undefined);
      if (form === 'plaintext') throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
      if (form === 'header') throw new CipherlayerError('ERR_MALFORMED');
    } catch (error) {
      refuse(engine, request, reply, error);
      return;
    }
    const bodyForm = form;
    readBody(payload, headers['content-length'], engine.wireLimit(bodyForm)).then(
      (wire) =>
        answer(engine, request, reply, mediaTypeFor(bodyForm), SEALED_CACHE_CONTROL, () =>
          engine.handshake(bodyForm, wire, request.method, request.originalUrl, request, request.id),
        ),
      (error: unknown) => refuse(engine, request, reply, error),
    );
  };
}

function logoutHook(engine: Engine): PreParsing {
  return (request, reply, payload) => {
    const { headers } = request;
    const header = headers.cipherlayer as string | undefined;
    let form: ReturnType<typeof requestForm>;
    try {
      form = requestForm(headers['content-type'], header);
      if (form === 'plaintext') throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
      if (form === 'header' && declaresBody(headers['content-length'], headers['transfer-encoding']))
        throw new CipherlayerError('ERR_MALFORMED');
    } catch (error) {
      refuse(engine, request, reply, error);
      return;
    }
    const messageForm = form;
    const encoding = responseEncoding(messageForm, headers.accept);
    const run = (wire: Uint8Array | string): void =>
      answer(engine, request, reply, mediaTypeFor(encoding), SEALED_CACHE_CONTROL, () =>
        engine.logout(messageForm, encoding, wire, request.method, request.originalUrl, request, request.id),
      );
    if (messageForm === 'header') run(header as string);
    else
      readBody(payload, headers['content-length'], engine.wireLimit(messageForm)).then(
        run,
        (error: unknown) => refuse(engine, request, reply, error),
      );
  };
}

function unreachable(): never {
  throw new CipherlayerError('ERR_INTERNAL');
}

/** Registers discovery, ohttp-gateway, handshake and logout, with policy `off` (they answer in the clear or seal themselves). */
export function registerWellKnown(fastify: FastifyInstance, engine: Engine): void {
  const config = { cipherlayer: 'off' as const };
  const published = (
    request: FastifyRequest,
    reply: FastifyReply,
    pick: (keys: PublishedKeys) => Uint8Array | string,
    type: string,
  ) =>
    answer(engine, request, reply, type, engine.discoveryCacheControl, () => {
      const keys = engine.published();
      return keys instanceof Promise ? keys.then(pick) : pick(keys);
    });
  fastify.get(engine.paths.discovery, { config }, (request, reply) => {
    published(request, reply, (keys) => keys.json, 'application/json');
    return reply;
  });
  fastify.get(engine.paths.ohttpKeys, { config }, (request, reply) => {
    published(request, reply, (keys) => keys.ohttpKeys, 'application/ohttp-keys');
    return reply;
  });
  fastify.post(engine.paths.session, { config, preParsing: handshakeHook(engine) }, unreachable);
  fastify.delete(engine.paths.session, { config, preParsing: logoutHook(engine) }, unreachable);
}
