import { kemParams } from '../hpke/suites.js';
import { utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { ByteReader, ByteWriter } from '../lib/reader.js';

/**
 * The six cl1 messages and their binary encoding (spec/protocol.md,
 * "Messages"). Parsing is pure and returns views into the input; the header
 * of each message is the exact byte range that is authenticated.
 */
export const CL1_MAGIC = 0xc1;

export const MessageType = {
  Request: 0x01,
  Response: 0x02,
  HandshakeRequest: 0x03,
  HandshakeResponse: 0x04,
  SessionRequest: 0x05,
  SessionResponse: 0x06,
} as const;
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

export const REQUEST_ID_LENGTH = 16;
export const SESSION_ID_LENGTH = 16;
const MAX_CONTENT_TYPE = 255;

/** A request sealed to a server key: the stateless request and the handshake request. */
export interface EncapsulatedRequest {
  readonly type: typeof MessageType.Request | typeof MessageType.HandshakeRequest;
  readonly keyId: number;
  readonly kemId: number;
  readonly kdfId: number;
  readonly aeadId: number;
  /** Milliseconds since the Unix epoch, by the client's clock. */
  readonly timestamp: number;
  readonly requestId: Uint8Array;
  readonly contentType: string;
  readonly header: Uint8Array;
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** A response keyed from the request's HPKE context: stateless and handshake responses. */
export interface EncapsulatedResponse {
  readonly type: typeof MessageType.Response | typeof MessageType.HandshakeResponse;
  readonly contentType: string;
  readonly header: Uint8Array;
  readonly responseNonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface SessionRequestMessage {
  readonly type: typeof MessageType.SessionRequest;
  readonly sessionId: Uint8Array;
  readonly counter: number;
  readonly contentType: string;
  readonly header: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface SessionResponseMessage {
  readonly type: typeof MessageType.SessionResponse;
  readonly counter: number;
  readonly contentType: string;
  readonly header: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export type Cl1Message =
  | EncapsulatedRequest
  | EncapsulatedResponse
  | SessionRequestMessage
  | SessionResponseMessage;

/** Content types are visible ASCII (and space) only, at most 255 bytes; empty means "no body". */
/** Recently encoded content types: a server answers with the same few over and over. */
const encodedContentTypes = new Map<string, Uint8Array>();

export function checkContentType(contentType: string): Uint8Array {
  const cached = encodedContentTypes.get(contentType);
  if (cached !== undefined) return cached;
  if (contentType.length > MAX_CONTENT_TYPE) throw new CipherlayerError('ERR_MALFORMED');
  const bytes = utf8(contentType);
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) throw new CipherlayerError('ERR_MALFORMED');
  if (encodedContentTypes.size >= 256) encodedContentTypes.clear();
  encodedContentTypes.set(contentType, bytes);
  return bytes;
}

function readContentType(reader: ByteReader): string {
  return reader.ascii(reader.u8());
}

function readPrefix(reader: ByteReader): number {
  if (reader.u8() !== CL1_MAGIC) throw new CipherlayerError('ERR_MALFORMED');
  return reader.u8();
}

/** The type byte of a cl1 message, without parsing the rest. */
export function messageTypeOf(message: Uint8Array): MessageTypeValue {
  const type = message[1];
  if (
    message[0] !== CL1_MAGIC ||
    type === undefined ||
    type < MessageType.Request ||
    type > MessageType.SessionResponse
  ) {
    throw new CipherlayerError('ERR_MALFORMED');
  }
  return type as MessageTypeValue;
}

export function encodeRequestHeader(fields: {
  type: EncapsulatedRequest['type'];
  keyId: number;
  kemId: number;
  kdfId: number;
  aeadId: number;
  timestamp: number;
  requestId: Uint8Array;
  contentType: string;
}): Uint8Array {
  if (fields.requestId.length !== REQUEST_ID_LENGTH) throw new CipherlayerError('ERR_MALFORMED');
  const contentType = checkContentType(fields.contentType);
  return new ByteWriter()
    .u8(CL1_MAGIC)
    .u8(fields.type)
    .u8(fields.keyId)
    .u16(fields.kemId)
    .u16(fields.kdfId)
    .u16(fields.aeadId)
    .u64(fields.timestamp)
    .bytes(fields.requestId)
    .u8(contentType.length)
    .bytes(contentType)
    .finish();
}

export function parseEncapsulatedRequest(message: Uint8Array): EncapsulatedRequest {
  const reader = new ByteReader(message);
  const type = readPrefix(reader);
  if (type !== MessageType.Request && type !== MessageType.HandshakeRequest)
    throw new CipherlayerError('ERR_MALFORMED');
  const keyId = reader.u8();
  const kemId = reader.u16();
  const kdfId = reader.u16();
  const aeadId = reader.u16();
  const timestamp = reader.u64();
  const requestId = reader.take(REQUEST_ID_LENGTH);
  const contentType = readContentType(reader);
  const header = message.subarray(0, reader.offset);
  // The KEM fixes the length of `enc`; an unknown KEM cannot be parsed further.
  const enc = reader.take(kemParams(kemId).nEnc);
  const ciphertext = reader.rest();
  if (ciphertext.length < 16) throw new CipherlayerError('ERR_MALFORMED');
  return { type, keyId, kemId, kdfId, aeadId, timestamp, requestId, contentType, header, enc, ciphertext };
}

export function encodeResponseHeader(type: EncapsulatedResponse['type'], contentType: string): Uint8Array {
  const cty = checkContentType(contentType);
  return new ByteWriter().u8(CL1_MAGIC).u8(type).u8(cty.length).bytes(cty).finish();
}

/** `nonceLength` is max(Nn, Nk) of the request's suite, known to the client that sent it. */
export function parseEncapsulatedResponse(message: Uint8Array, nonceLength: number): EncapsulatedResponse {
  const reader = new ByteReader(message);
  const type = readPrefix(reader);
  if (type !== MessageType.Response && type !== MessageType.HandshakeResponse)
    throw new CipherlayerError('ERR_MALFORMED');
  const contentType = readContentType(reader);
  const header = message.subarray(0, reader.offset);
  const responseNonce = reader.take(nonceLength);
  const ciphertext = reader.rest();
  if (ciphertext.length < 16) throw new CipherlayerError('ERR_MALFORMED');
  return { type, contentType, header, responseNonce, ciphertext };
}

export function encodeSessionRequestHeader(
  sessionId: Uint8Array,
  counter: number,
  contentType: string,
): Uint8Array {
  if (sessionId.length !== SESSION_ID_LENGTH) throw new CipherlayerError('ERR_MALFORMED');
  const cty = checkContentType(contentType);
  return new ByteWriter()
    .u8(CL1_MAGIC)
    .u8(MessageType.SessionRequest)
    .bytes(sessionId)
    .u64(counter)
    .u8(cty.length)
    .bytes(cty)
    .finish();
}

export function parseSessionRequest(message: Uint8Array): SessionRequestMessage {
  const reader = new ByteReader(message);
  if (readPrefix(reader) !== MessageType.SessionRequest) throw new CipherlayerError('ERR_MALFORMED');
  const sessionId = reader.take(SESSION_ID_LENGTH);
  const counter = reader.u64();
  const contentType = readContentType(reader);
  const header = message.subarray(0, reader.offset);
  const ciphertext = reader.rest();
  if (ciphertext.length < 16) throw new CipherlayerError('ERR_MALFORMED');
  return { type: MessageType.SessionRequest, sessionId, counter, contentType, header, ciphertext };
}

export function encodeSessionResponseHeader(counter: number, contentType: string): Uint8Array {
  const cty = checkContentType(contentType);
  return new ByteWriter()
    .u8(CL1_MAGIC)
    .u8(MessageType.SessionResponse)
    .u64(counter)
    .u8(cty.length)
    .bytes(cty)
    .finish();
}

/** Session response headers by content type, each followed by two spare bytes (see below). */
const sessionResponseTemplates = new Map<string, Uint8Array>();
const COUNTER_OFFSET = 2;

/**
 * A session response header followed by two spare bytes, in one new buffer:
 * the header is all of it but those two, and with the status written there
 * it is the response's associated data. Copied from a template per content
 * type, then the counter is written in.
 */
export function encodeSessionResponseHeaderAndRoom(counter: number, contentType: string): Uint8Array {
  if (!Number.isSafeInteger(counter) || counter < 0)
    throw new RangeError('u64: not a safe non-negative integer');
  let template = sessionResponseTemplates.get(contentType);
  if (template === undefined) {
    const header = encodeSessionResponseHeader(0, contentType);
    template = new Uint8Array(header.length + 2);
    template.set(header, 0);
    if (sessionResponseTemplates.size >= 256) sessionResponseTemplates.clear();
    sessionResponseTemplates.set(contentType, template);
  }
  const out = template.slice();
  const high = Math.floor(counter / 0x100000000);
  const low = counter >>> 0;
  out[COUNTER_OFFSET] = high >>> 24;
  out[COUNTER_OFFSET + 1] = (high >>> 16) & 0xff;
  out[COUNTER_OFFSET + 2] = (high >>> 8) & 0xff;
  out[COUNTER_OFFSET + 3] = high & 0xff;
  out[COUNTER_OFFSET + 4] = low >>> 24;
  out[COUNTER_OFFSET + 5] = (low >>> 16) & 0xff;
  out[COUNTER_OFFSET + 6] = (low >>> 8) & 0xff;
  out[COUNTER_OFFSET + 7] = low & 0xff;
  return out;
}

export function parseSessionResponse(message: Uint8Array): SessionResponseMessage {
  const reader = new ByteReader(message);
  if (readPrefix(reader) !== MessageType.SessionResponse) throw new CipherlayerError('ERR_MALFORMED');
  const counter = reader.u64();
  const contentType = readContentType(reader);
  const header = message.subarray(0, reader.offset);
  const ciphertext = reader.rest();
  if (ciphertext.length < 16) throw new CipherlayerError('ERR_MALFORMED');
  return { type: MessageType.SessionResponse, counter, contentType, header, ciphertext };
}
