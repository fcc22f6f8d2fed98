import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseUrlEncoded } from 'node:querystring';
import type { MessageForm } from '../../engine/media.js';
import { isJsonMediaType, mediaTypeOf } from '../../engine/media.js';
import { describePlaintext } from '../../io/plaintext-headers.js';

/**
 * Makes an opened request look to the app as if it had arrived in the clear:
 * the inner content type and length in the headers, and `req.body` parsed
 * the way Express's own parsers would (JSON for `application/json` and
 * `+json`, a string for `text/*`, an object for urlencoded forms, a Buffer
 * otherwise; undefined when empty). The stream is consumed, so parsers
 * mounted after cipherlayer see a finished request and leave `req.body` as
 * it is.
 */
/** An opened request's plaintext: a cl1 Exchange or a profile's. */
export interface OpenedPlaintext {
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly form: MessageForm;
}

export interface PlaintextRequest {
  headers: IncomingHttpHeaders;
  body?: unknown;
}

/** What `express.json()` passes to `next` for bad JSON; the message never quotes the body. */
export interface BodyParseError extends SyntaxError {
  status: number;
  statusCode: number;
  expose: boolean;
  type: string;
}

function parseFailure(): BodyParseError {
  return Object.assign(new SyntaxError('the decrypted request body is not valid JSON'), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: 'entity.parse.failed',
  });
}

/** Presents the plaintext; returns the error to pass to `next` when it is not the JSON it claims to be. */
export function presentPlaintext(
  req: PlaintextRequest,
  exchange: OpenedPlaintext,
): BodyParseError | undefined {
  describePlaintext(req.headers, exchange);
  return presentBody(req, exchange.contentType, exchange.body);
}

/**
 * Sets `req.body` from bytes cipherlayer read, as Express's parsers would:
 * for an opened request, and for a plaintext one a profile had to read to
 * know it was not its message (its headers stay as they came).
 */
export function presentBody(
  req: PlaintextRequest,
  contentType: string,
  body: Uint8Array,
): BodyParseError | undefined {
  if (body.length === 0) {
    req.body = undefined;
    return undefined;
  }
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.length);
  if (isJsonMediaType(contentType)) {
    try {
      req.body = JSON.parse(bytes.toString('utf8'));
    } catch {
      // The SyntaxError's message quotes the plaintext: it is dropped, not chained.
      return parseFailure();
    }
    return undefined;
  }
  const media = mediaTypeOf(contentType);
  if (media.startsWith('text/')) req.body = bytes.toString('utf8');
  else if (media === 'application/x-www-form-urlencoded')
    req.body = { ...parseUrlEncoded(bytes.toString('utf8')) };
  else req.body = bytes;
  return undefined;
}
