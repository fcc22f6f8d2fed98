import {
  type Bytes,
  CipherlayerError,
  type ErrorCode,
  errorRegistry,
  type Limits,
  maxJsonMessageLength,
  maxMessageBytes,
  parseJsonMessage,
  toBase64Url,
  toJsonMessage,
} from '@cipherlayer/core';
import { serverError } from './errors.js';
import type { WireEncoding } from './options.js';

/** How cl1 messages travel in HTTP (spec/http.md). */
export const MEDIA_TYPES: Record<WireEncoding, string> = {
  binary: 'application/cipherlayer',
  json: 'application/cipherlayer+json',
};
/** The request header that carries the message of a request without a body. */
export const MESSAGE_HEADER = 'cipherlayer';

/** Largest error body read from a server: the registry's bodies are under 120 bytes. */
const MAX_ERROR_BODY = 4096;

/** The media type without parameters, lower case (`application/json; charset=utf-8` → `application/json`). */
export function essence(contentType: string | null): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The body of a request carrying `message` in `encoding`. */
export function messageBody(message: Bytes, encoding: WireEncoding): Bytes | string {
  return encoding === 'binary' ? message : JSON.stringify(toJsonMessage(message));
}

/** The `Cipherlayer` header value: the binary message, base64url (spec/http.md, "Requests"). */
export function messageHeader(message: Uint8Array): string {
  return toBase64Url(message);
}

/**
 * Reads a stream to its end, refusing it (ERR_TOO_LARGE) as soon as it
 * passes `limit` bytes: a body is never buffered beyond the limit.
 */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Bytes> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      await reader.cancel().catch(() => undefined);
      throw new CipherlayerError('ERR_TOO_LARGE');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * The cl1 message in a response, or undefined when the response is not one
 * (no cl1 media type): then `rejectionOf` says what it stands for.
 */
export async function readMessage(response: Response, limits: Limits): Promise<Bytes | undefined> {
  const type = essence(response.headers.get('content-type'));
  if (type === MEDIA_TYPES.binary) return await readLimited(response.body, maxMessageBytes(limits));
  if (type !== MEDIA_TYPES.json) return undefined;
  const limit = maxJsonMessageLength(limits);
  const bytes = await readLimited(response.body, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CipherlayerError('ERR_MALFORMED', { cause });
  }
  return parseJsonMessage(text, limit);
}

function registryCode(body: unknown, status: number): ErrorCode | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  if (typeof code !== 'string' || !Object.hasOwn(errorRegistry, code)) return undefined;
  // A cipherlayer error body comes with its registry status; anything else is some other JSON.
  return errorRegistry[code as ErrorCode].status === status ? (code as ErrorCode) : undefined;
}

/**
 * The error a response that is not a cl1 message stands for: the code of a
 * cipherlayer error body (spec/http.md, "Errors made by cipherlayer"), or
 * ERR_PLAINTEXT_REJECTED for anything else. The body is read only to find
 * the code; it never goes into the error.
 */
export async function rejectionOf(response: Response): Promise<CipherlayerError> {
  let code: ErrorCode = 'ERR_PLAINTEXT_REJECTED';
  if (essence(response.headers.get('content-type')) === 'application/json') {
    try {
      const bytes = await readLimited(response.body, MAX_ERROR_BODY);
      code = registryCode(JSON.parse(new TextDecoder().decode(bytes)), response.status) ?? code;
    } catch {
      // Too long or not JSON: not a cipherlayer error body.
    }
  } else {
    await response.body?.cancel().catch(() => undefined);
  }
  return serverError(code, response);
}
