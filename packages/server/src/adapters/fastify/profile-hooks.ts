import { CipherlayerError } from '@cipherlayer/core';
import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { SEALED_CACHE_CONTROL, withVaryOf } from '../../engine/http-rules.js';
import type { Profile } from '../../engine/profile.js';
import type { ProfileExchange } from '../../engine/profile-exchange.js';
import type {
  EndpointAnswer,
  ProfileEndpoint,
  ProfileRequest,
  SealedAnswer,
} from '../../engine/profile-spec.js';
import { readBody } from '../../io/node-body.js';
import { describePlaintext } from '../../io/plaintext-headers.js';
import { nodeRequestView } from '../../io/request-view.js';
import { type PreParsing, plaintextStream } from './open-request.js';
import { asBuffer, refuse } from './reply.js';
import { answerFailure, type Done, drop, type OnSend, payloadBytes } from './seal-response.js';

type MaybePromise<T> = T | Promise<T>;
type Engine = Profile<FastifyRequest>;
type ParsingDone = (error?: Error | null, payload?: RequestPayload) => void;

function viewOf(request: FastifyRequest): ProfileRequest {
  return nodeRequestView(request.method, request.originalUrl, request.headers, request.ip);
}

function plaintext(
  profile: Engine,
  policy: 'require' | 'optional',
  wire: Uint8Array | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: RequestPayload,
  done: ParsingDone,
): void {
  if (policy === 'require') {
    refuse(profile, request, reply, new CipherlayerError('ERR_PLAINTEXT_REJECTED'));
    return;
  }
  reply.header('vary', withVaryOf(reply.getHeader('vary'), profile.vary));
  // A body read to find out it was not the profile's goes to the parsers as it came.
  done(null, wire === undefined ? payload : plaintextStream(wire));
}

function enter(
  profile: Engine,
  policy: 'require' | 'optional',
  exchange: ProfileExchange | null,
  wire: Uint8Array | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: RequestPayload,
  done: ParsingDone,
): void {
  if (exchange === null) {
    plaintext(profile, policy, wire, request, reply, payload, done);
    return;
  }
  request.cipherlayerProfile = exchange;
  describePlaintext(request.headers, exchange);
  if (exchange.form === 'header' && exchange.body.length === 0) done(null, payload);
  else done(null, plaintextStream(exchange.body));
}

function open(
  profile: Engine,
  policy: 'require' | 'optional',
  view: ProfileRequest,
  wire: Uint8Array | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: RequestPayload,
  done: ParsingDone,
): void {
  let exchange: MaybePromise<ProfileExchange | null>;
  try {
    exchange = profile.open(view, wire, request, request.id);
  } catch (error) {
    refuse(profile, request, reply, error);
    return;
  }
  if (exchange instanceof Promise) {
    exchange.then(
      (value) => enter(profile, policy, value, wire, request, reply, payload, done),
      (error: unknown) => refuse(profile, request, reply, error),
    );
  } else {
    enter(profile, policy, exchange, wire, request, reply, payload, done);
  }
}

/** The preParsing hook of a profile's `require` or `optional` route: opens before Fastify parses or validates. */
export function profileOpeningHook(profile: Engine, policy: 'require' | 'optional'): PreParsing {
  return function cipherlayerProfileOpen(request, reply, payload, done) {
    const view = viewOf(request);
    let intake: ReturnType<Engine['intake']>;
    try {
      intake = profile.intake(view, policy);
    } catch (error) {
      refuse(profile, request, reply, error);
      return;
    }
    if (intake === 'plaintext') plaintext(profile, policy, undefined, request, reply, payload, done);
    else if (intake === 'headers') open(profile, policy, view, undefined, request, reply, payload, done);
    else
      readBody(payload, request.headers['content-length'], profile.maxWireBytes).then(
        (wire) => open(profile, policy, view, wire, request, reply, payload, done),
        (error: unknown) => refuse(profile, request, reply, error),
      );
  };
}

function sealFailure(
  profile: Engine,
  exchange: ProfileExchange,
  reply: FastifyReply,
  error: unknown,
  reason: string,
  done: Done,
): void {
  answerFailure(profile.sealFailed(error, exchange, reason), reply, done);
}

function finish(
  profile: Engine,
  reply: FastifyReply,
  answer: SealedAnswer | null,
  body: Uint8Array,
  done: Done,
) {
  if (answer === null) {
    done(null, asBuffer(body));
    return;
  }
  reply
    .header('content-type', answer.contentType)
    .header('cache-control', SEALED_CACHE_CONTROL)
    .header('vary', withVaryOf(reply.getHeader('vary'), profile.vary));
  drop(reply, 'etag');
  drop(reply, 'content-length');
  done(null, asBuffer(answer.body));
}

function seal(profile: Engine, exchange: ProfileExchange, reply: FastifyReply, body: Uint8Array, done: Done) {
  const contentType = reply.getHeader('content-type');
  let answer: MaybePromise<SealedAnswer | null>;
  try {
    answer = profile.seal(
      exchange,
      reply.statusCode,
      contentType === undefined ? '' : String(contentType),
      body,
    );
  } catch (error) {
    sealFailure(profile, exchange, reply, error, 'sealing failed', done);
    return;
  }
  if (answer instanceof Promise)
    answer.then(
      (value) => finish(profile, reply, value, body, done),
      (error: unknown) => sealFailure(profile, exchange, reply, error, 'sealing failed', done),
    );
  else finish(profile, reply, answer, body, done);
}

/** The onSend hook of a profile's route: seals the serialised answer of a request the profile opened. */
export function profileSealingHook(profile: Engine): OnSend {
  return function cipherlayerProfileSeal(request, reply, payload, done) {
    const exchange = request.cipherlayerProfile as ProfileExchange | null;
    if (exchange === null || exchange.settled || !exchange.sealsResponse) {
      done(null, payload);
      return;
    }
    if (reply.getHeader('content-encoding') !== undefined) {
      const reason = 'the body was compressed before sealing: register compression outside cipherlayer';
      sealFailure(profile, exchange, reply, new CipherlayerError('ERR_CONFIG'), reason, done);
      return;
    }
    let body: Uint8Array | Promise<Uint8Array>;
    try {
      body = payloadBytes(payload, reply, profile.maxBodyBytes);
    } catch (error) {
      sealFailure(profile, exchange, reply, error, 'unreadable payload', done);
      return;
    }
    if (body instanceof Promise)
      body.then(
        (bytes) => seal(profile, exchange, reply, bytes, done),
        (error: unknown) =>
          sealFailure(profile, exchange, reply, error, 'response body over maxBodyBytes', done),
      );
    else seal(profile, exchange, reply, body, done);
  };
}

/** A profile endpoint works in preParsing, like the handshake: its body read with its limit, never parsed. */
export function profileEndpointHook(profile: Engine, endpoint: ProfileEndpoint<FastifyRequest>): PreParsing {
  return (request, reply, payload) => {
    const view = viewOf(request);
    const send = (answer: EndpointAnswer): void => {
      reply
        .code(answer.status)
        .header('content-type', answer.contentType)
        .header('cache-control', 'no-store')
        .send(asBuffer(answer.body));
    };
    readBody(payload, request.headers['content-length'], endpoint.maxBodyBytes).then(
      (body) => {
        let answer: MaybePromise<EndpointAnswer>;
        try {
          answer = profile.serve(endpoint, view, body, request);
        } catch (error) {
          refuse(profile, request, reply, error);
          return;
        }
        if (answer instanceof Promise)
          answer.then(send, (error: unknown) => refuse(profile, request, reply, error));
        else send(answer);
      },
      (error: unknown) => refuse(profile, request, reply, error),
    );
  };
}
