import { type Bytes, counterNonce } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';
import { type RequestBinding, requestAad, responseAad, setResponseStatus } from './binding.js';
import {
  encodeSessionRequestHeader,
  encodeSessionResponseHeaderAndRoom,
  type SessionRequestMessage,
  type SessionResponseMessage,
} from './messages.js';
import type { SessionKeys } from './session-keys.js';

/**
 * Per-message protection inside a session: AEAD only, with the nonce made
 * from the message counter (IV XOR counter, as TLS 1.3 does), so a nonce is
 * never random and never repeats while the counter does not. The response
 * to request N uses counter N in the other direction's key.
 */
export function* sealSessionRequest(
  keys: SessionKeys,
  counter: number,
  binding: RequestBinding,
  contentType: string,
  body: Uint8Array,
): Flow<Bytes> {
  const header = encodeSessionRequestHeader(keys.sessionId, counter, contentType);
  const nonce = counterNonce(keys.c2s.iv, counter);
  const aad = requestAad(header, binding);
  return yield* call((b) => b.seal(keys.c2s.key, nonce, aad, body, header));
}

export function* openSessionRequest(
  keys: SessionKeys,
  message: SessionRequestMessage,
  binding: RequestBinding,
): Flow<Uint8Array> {
  const nonce = counterNonce(keys.c2s.iv, message.counter);
  const aad = requestAad(message.header, binding);
  // A direct yield, not `call`: the server runs this on every request, and `call` is one more generator.
  return (yield (b) => b.open(keys.c2s.key, nonce, aad, message.ciphertext)) as Uint8Array;
}

export function* sealSessionResponse(
  keys: SessionKeys,
  counter: number,
  status: number,
  contentType: string,
  body: Uint8Array,
): Flow<Bytes> {
  // One buffer for both: the associated data is the header followed by the status.
  const aad = setResponseStatus(encodeSessionResponseHeaderAndRoom(counter, contentType), status);
  const header = aad.subarray(0, aad.length - 2);
  const nonce = counterNonce(keys.s2c.iv, counter);
  return (yield (b) => b.seal(keys.s2c.key, nonce, aad, body, header)) as Bytes;
}

/** The counter must be the one of the request this response answers. */
export function* openSessionResponse(
  keys: SessionKeys,
  message: SessionResponseMessage,
  requestCounter: number,
  status: number,
): Flow<Uint8Array> {
  if (message.counter !== requestCounter) throw new CipherlayerError('ERR_DECRYPT');
  const nonce = counterNonce(keys.s2c.iv, message.counter);
  const aad = responseAad(message.header, status);
  return yield* call((b) => b.open(keys.s2c.key, nonce, aad, message.ciphertext));
}
