import type { IncomingMessage } from 'node:http';
import { nodeArrival } from './node-request.js';
import { REFUSAL_BYTES, REFUSAL_HEADERS, REFUSAL_STATUS } from './refusal.js';
import type { TransportPolicy } from './transport-guard.js';

/** The parts of Fastify's request and reply the hook uses (no dependency on fastify itself). */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
}
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload: Buffer): unknown;
}

export type FastifyOnRequestHook = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
  done: (error?: Error) => void,
) => void;

/** An `onRequest` hook: `app.addHook('onRequest', guard.fastify)`. */
export function fastifyGuard(policy: TransportPolicy): FastifyOnRequestHook {
  return (request, reply, done) => {
    const verdict = policy.decide(nodeArrival(request.raw));
    if (!verdict.allowed) {
      // Fastify: a hook that sends a reply does not call done.
      reply.code(REFUSAL_STATUS);
      for (const [name, value] of Object.entries(REFUSAL_HEADERS)) reply.header(name, value);
      // Bytes: Fastify would add "; charset=utf-8" to a string's media type.
      reply.send(REFUSAL_BYTES);
      return;
    }
    for (const [name, value] of Object.entries(verdict.headers)) reply.header(name, value);
    done();
  };
}
