import { concatPair, utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';

/**
 * What a request is bound to besides its own header: the HTTP method and the
 * request target (path and query, exactly as sent). Both sides compute it
 * from the request line, it never travels in the message, and it is part of
 * the AEAD associated data: a ciphertext moved to another route fails.
 */
export interface RequestBinding {
  readonly method: string;
  readonly target: string;
}

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

function encode(binding: RequestBinding): Uint8Array {
  if (!METHOD.test(binding.method)) throw new CipherlayerError('ERR_MALFORMED');
  if (!binding.target.startsWith('/') && binding.target !== '*') throw new CipherlayerError('ERR_MALFORMED');
  // Methods are case-sensitive (RFC 9110, section 9.1): bound exactly as sent.
  const method = utf8(binding.method);
  const target = utf8(binding.target);
  const out = new Uint8Array(1 + method.length + 4 + target.length);
  out[0] = method.length;
  out.set(method, 1);
  new DataView(out.buffer).setUint32(1 + method.length, target.length);
  out.set(target, 5 + method.length);
  return out;
}

/** Recent bindings, encoded: an API serves the same few routes over and over. */
const recent = new Map<string, Uint8Array>();
const RECENT_LIMIT = 1024;

function encoded(binding: RequestBinding): Uint8Array {
  const cacheKey = `${binding.method} ${binding.target}`;
  let bytes = recent.get(cacheKey);
  if (bytes === undefined) {
    bytes = encode(binding);
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(cacheKey, bytes);
  }
  return bytes;
}

export function encodeBinding(binding: RequestBinding): Uint8Array {
  return encode(binding);
}

/** Associated data of a request: its header, then the binding. */
export function requestAad(header: Uint8Array, binding: RequestBinding): Uint8Array {
  return concatPair(header, encoded(binding));
}

/**
 * Writes the HTTP status as a 16-bit integer into the last two bytes of
 * `aad`, a response header followed by two spare bytes.
 */
export function setResponseStatus(aad: Uint8Array, status: number): Uint8Array {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new CipherlayerError('ERR_MALFORMED');
  aad[aad.length - 2] = status >> 8;
  aad[aad.length - 1] = status & 0xff;
  return aad;
}

/** Associated data of a response: its header, then the HTTP status as a 16-bit integer. */
export function responseAad(header: Uint8Array, status: number): Uint8Array {
  const aad = new Uint8Array(header.length + 2);
  aad.set(header, 0);
  return setResponseStatus(aad, status);
}
