import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cipherlayer } from '../../engine/cipherlayer.js';
import { ERROR_CONTENT_TYPE, type ErrorReply } from '../../engine/errors.js';
import { ERROR_CACHE_CONTROL } from '../../engine/http-rules.js';

export type Engine = Cipherlayer<FastifyRequest>;

/** Sends cipherlayer's plaintext error; after ERR_TOO_LARGE the unread body is dropped with the connection. */
export function sendErrorReply(reply: FastifyReply, error: ErrorReply): void {
  reply
    .code(error.status)
    .header('content-type', ERROR_CONTENT_TYPE)
    .header('cache-control', ERROR_CACHE_CONTROL);
  if (error.code === 'ERR_TOO_LARGE') reply.header('connection', 'close');
  reply.send(error.body);
}

/**
 * Refuses a request from a hook. The hook's `done` is not called after this:
 * the route's handler, parsers and validators never run.
 */
export function refuse(
  engine: Pick<Engine, 'reject'>,
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): void {
  sendErrorReply(reply, engine.reject(error, request.id));
}

/**
 * The body as a Buffer (over the same memory when it is bytes): Fastify
 * would add a charset to the media type of a string body.
 */
export function asBuffer(body: Uint8Array | string): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
}
