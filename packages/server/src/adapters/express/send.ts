import type { ServerResponse } from 'node:http';
import { ERROR_CONTENT_TYPE, type ErrorReply } from '../../engine/errors.js';
import { ERROR_CACHE_CONTROL } from '../../engine/http-rules.js';

/**
 * Sends cipherlayer's plaintext error. After ERR_TOO_LARGE the rest of the
 * body is still on the wire, unread: the connection is closed rather than
 * drained.
 */
export function sendErrorReply(
  res: ServerResponse,
  reply: ErrorReply,
  end: (body: string) => void = res.end,
): void {
  res.statusCode = reply.status;
  res.setHeader('content-type', ERROR_CONTENT_TYPE);
  res.setHeader('cache-control', ERROR_CACHE_CONTROL);
  res.setHeader('content-length', Buffer.byteLength(reply.body));
  if (reply.code === 'ERR_TOO_LARGE') res.setHeader('connection', 'close');
  Reflect.apply(end, res, [reply.body]);
}

/** Sends a body cipherlayer produced itself (discovery, handshake, logout). */
export function sendBody(
  res: ServerResponse,
  status: number,
  contentType: string,
  cacheControl: string,
  body: Uint8Array | string,
): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', cacheControl);
  res.setHeader('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.end(body);
}
