import { kemParams } from '../hpke/suites.js';
import { type Bytes, concat, fromBase64Url, toBase64Url } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import {
  encodeRequestHeader,
  encodeResponseHeader,
  encodeSessionRequestHeader,
  encodeSessionResponseHeader,
  MessageType,
  messageTypeOf,
  parseEncapsulatedRequest,
  parseEncapsulatedResponse,
  parseSessionRequest,
  parseSessionResponse,
} from './messages.js';

/**
 * The JSON wire encoding: the same fields as the binary message, with bytes
 * as base64url (canonical, unpadded). Decoding rebuilds the exact binary
 * message, so all cryptography runs over one canonical form; unknown or
 * missing members are malformed.
 */
export type JsonMessage =
  | {
      cl1: 'request' | 'handshake';
      kid: number;
      kem: number;
      kdf: number;
      aead: number;
      ts: number;
      rid: string;
      cty: string;
      enc: string;
      ct: string;
    }
  | { cl1: 'response' | 'handshake-response'; cty: string; nonce: string; ct: string }
  | { cl1: 'session'; sid: string; n: number; cty: string; ct: string }
  | { cl1: 'session-response'; n: number; cty: string; ct: string };

export const JSON_MESSAGE_TAG = 'cl1';

const requestNames = {
  [MessageType.Request]: 'request',
  [MessageType.HandshakeRequest]: 'handshake',
} as const;
const responseNames = {
  [MessageType.Response]: 'response',
  [MessageType.HandshakeResponse]: 'handshake-response',
} as const;

/** Binary to JSON. A response needs its nonce length (max(Nn, Nk) of its suite) to be split. */
export function toJsonMessage(message: Uint8Array, responseNonceLength = 32): JsonMessage {
  const type = messageTypeOf(message);
  switch (type) {
    case MessageType.Request:
    case MessageType.HandshakeRequest: {
      const m = parseEncapsulatedRequest(message);
      return {
        cl1: requestNames[m.type],
        kid: m.keyId,
        kem: m.kemId,
        kdf: m.kdfId,
        aead: m.aeadId,
        ts: m.timestamp,
        rid: toBase64Url(m.requestId),
        cty: m.contentType,
        enc: toBase64Url(m.enc),
        ct: toBase64Url(m.ciphertext),
      };
    }
    case MessageType.Response:
    case MessageType.HandshakeResponse: {
      const m = parseEncapsulatedResponse(message, responseNonceLength);
      return {
        cl1: responseNames[m.type],
        cty: m.contentType,
        nonce: toBase64Url(m.responseNonce),
        ct: toBase64Url(m.ciphertext),
      };
    }
    case MessageType.SessionRequest: {
      const m = parseSessionRequest(message);
      return {
        cl1: 'session',
        sid: toBase64Url(m.sessionId),
        n: m.counter,
        cty: m.contentType,
        ct: toBase64Url(m.ciphertext),
      };
    }
    case MessageType.SessionResponse: {
      const m = parseSessionResponse(message);
      return { cl1: 'session-response', n: m.counter, cty: m.contentType, ct: toBase64Url(m.ciphertext) };
    }
  }
}

function members(value: unknown, expected: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CipherlayerError('ERR_MALFORMED');
  const keys = Object.keys(value);
  if (keys.length !== expected.length || !expected.every((k) => Object.hasOwn(value, k))) {
    throw new CipherlayerError('ERR_MALFORMED');
  }
  return value as Record<string, unknown>;
}

function int(value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new CipherlayerError('ERR_MALFORMED');
  }
  return value;
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new CipherlayerError('ERR_MALFORMED');
  return value;
}

const bytes = (value: unknown) => fromBase64Url(str(value));

/**
 * A byte string whose length the message fixes (enc, response nonce).
 * Without this check `enc`/`ct` (or `nonce`/`ct`) could split the same bytes
 * at another point and still rebuild the same binary message: two JSON forms
 * for one message.
 */
function fixedBytes(value: unknown, length: number): Uint8Array {
  const out = bytes(value);
  if (out.length !== length) throw new CipherlayerError('ERR_MALFORMED');
  return out;
}

/**
 * JSON (already parsed) to the binary message. A response needs its nonce
 * length (max(Nn, Nk) of its suite; 32 for every cl1 suite) to be checked.
 */
export function fromJsonMessage(value: unknown, responseNonceLength = 32): Bytes {
  const tag = (value as { cl1?: unknown } | null)?.cl1;
  switch (tag) {
    case 'request':
    case 'handshake': {
      const m = members(value, ['cl1', 'kid', 'kem', 'kdf', 'aead', 'ts', 'rid', 'cty', 'enc', 'ct']);
      const header = encodeRequestHeader({
        type: tag === 'request' ? MessageType.Request : MessageType.HandshakeRequest,
        keyId: int(m.kid, 0xff),
        kemId: int(m.kem, 0xffff),
        kdfId: int(m.kdf, 0xffff),
        aeadId: int(m.aead, 0xffff),
        timestamp: int(m.ts, Number.MAX_SAFE_INTEGER),
        requestId: bytes(m.rid),
        contentType: str(m.cty),
      });
      return concat(header, fixedBytes(m.enc, kemParams(int(m.kem, 0xffff)).nEnc), bytes(m.ct));
    }
    case 'response':
    case 'handshake-response': {
      const m = members(value, ['cl1', 'cty', 'nonce', 'ct']);
      const type = tag === 'response' ? MessageType.Response : MessageType.HandshakeResponse;
      return concat(
        encodeResponseHeader(type, str(m.cty)),
        fixedBytes(m.nonce, responseNonceLength),
        bytes(m.ct),
      );
    }
    case 'session': {
      const m = members(value, ['cl1', 'sid', 'n', 'cty', 'ct']);
      return concat(
        encodeSessionRequestHeader(bytes(m.sid), int(m.n, Number.MAX_SAFE_INTEGER), str(m.cty)),
        bytes(m.ct),
      );
    }
    case 'session-response': {
      const m = members(value, ['cl1', 'n', 'cty', 'ct']);
      return concat(encodeSessionResponseHeader(int(m.n, Number.MAX_SAFE_INTEGER), str(m.cty)), bytes(m.ct));
    }
    default:
      throw new CipherlayerError('ERR_MALFORMED');
  }
}

/** Parses JSON text with a length limit checked first. */
export function parseJsonMessage(text: string, maxLength: number, responseNonceLength = 32): Bytes {
  if (text.length > maxLength) throw new CipherlayerError('ERR_TOO_LARGE');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CipherlayerError('ERR_MALFORMED', { cause });
  }
  return fromJsonMessage(value, responseNonceLength);
}
