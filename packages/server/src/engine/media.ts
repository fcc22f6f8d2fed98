import { CipherlayerError } from '@cipherlayer/core';

/**
 * How a request carries its cl1 message (spec/http.md, "Requests"): in the
 * body, binary or JSON, or in the `Cipherlayer` header when it has no body.
 * Anything else is plaintext, whatever its content type says.
 */
export const MEDIA_TYPE = 'application/cipherlayer';
export const MEDIA_TYPE_JSON = 'application/cipherlayer+json';
/** Lower case, as Node.js and the Fetch API hand header names over. */
export const MESSAGE_HEADER = 'cipherlayer';

export type MessageForm = 'binary' | 'json' | 'header';
export type RequestForm = MessageForm | 'plaintext';
/** A response travels in the encoding of its request; header-mode requests choose with Accept. */
export type ResponseEncoding = 'binary' | 'json';

/** The media type of a Content-Type value: parameters dropped, lower case. */
export function mediaTypeOf(value: string): string {
  if (value === MEDIA_TYPE || value === MEDIA_TYPE_JSON || value === 'application/json') return value;
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** Classifies a request by its Content-Type and `Cipherlayer` header; both at once is malformed. */
export function requestForm(contentType: string | undefined, header: string | undefined): RequestForm {
  let body: MessageForm | undefined;
  if (contentType !== undefined) {
    const media = mediaTypeOf(contentType);
    if (media === MEDIA_TYPE) body = 'binary';
    else if (media === MEDIA_TYPE_JSON) body = 'json';
  }
  if (header !== undefined) {
    if (body !== undefined) throw new CipherlayerError('ERR_MALFORMED');
    return 'header';
  }
  return body ?? 'plaintext';
}

/** True when a request carries a cl1 message, by its Content-Type or its `Cipherlayer` header. */
export function carriesCl1(contentType: string | undefined, header: string | undefined): boolean {
  if (header !== undefined) return true;
  if (contentType === undefined) return false;
  const media = mediaTypeOf(contentType);
  return media === MEDIA_TYPE || media === MEDIA_TYPE_JSON;
}

export function responseEncoding(form: MessageForm, accept: string | undefined): ResponseEncoding {
  if (form === 'header') return accept?.includes(MEDIA_TYPE_JSON) ? 'json' : 'binary';
  return form;
}

export function mediaTypeFor(encoding: ResponseEncoding): string {
  return encoding === 'json' ? MEDIA_TYPE_JSON : MEDIA_TYPE;
}

/** `application/json` and any `+json` type: what the Express adapter parses for the app. */
export function isJsonMediaType(contentType: string): boolean {
  const media = mediaTypeOf(contentType);
  return media === 'application/json' || media.endsWith('+json');
}

/** HTTP/1.1 signals a body with Content-Length or Transfer-Encoding (RFC 9112, section 6). */
export function declaresBody(
  contentLength: string | undefined,
  transferEncoding: string | undefined,
): boolean {
  return transferEncoding !== undefined || (contentLength !== undefined && contentLength !== '0');
}
