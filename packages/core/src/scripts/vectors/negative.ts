import { HANDSHAKE_STATUS } from '../../cl1/handshake.js';
import { MessageType } from '../../cl1/messages.js';
import { sealEncapsulatedRequest } from '../../cl1/stateless.js';
import { concat, fromBase64Url, fromHex, toBase64Url, toHex } from '../../lib/bytes.js';
import { type ErrorCode, errorRegistry } from '../../lib/errors.js';
import { runFlow } from '../../lib/flow.js';
import {
  CLIENT_TIME,
  CRAFTED_REQUEST_DRAWS,
  HANDSHAKE_BINDING,
  MAX_SKEW_MS,
  SERVER_TIME,
} from './fixtures.js';
import { type NegativeInput, outcomeOf, type ReceiverContext } from './receivers.js';
import { scriptedBackend } from './scripted-backend.js';
import type { HandshakeVector, NegativeVector, SessionVector, StatelessVector } from './types.js';

type Case = NegativeInput & { readonly expect: ErrorCode };

/** A copy of `hex` with the byte at `index` (negative: from the end) XORed with `mask`. */
function flip(hex: string, index: number, mask = 0x01): string {
  const bytes = fromHex(hex);
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] as number) ^ mask;
  return toHex(bytes);
}

/** A copy of `hex` with bytes from `offset` replaced by `replacement` (hex). */
function patch(hex: string, offset: number, replacement: string): string {
  return hex.slice(0, offset * 2) + replacement + hex.slice(offset * 2 + replacement.length);
}

const truncate = (hex: string, length: number) => hex.slice(0, length * 2);
const length = (hex: string) => hex.length / 2;

/** Request header offsets (spec/protocol.md, "Request"). */
const AT = {
  magic: 0,
  type: 1,
  keyId: 2,
  kem: 3,
  kdf: 5,
  aead: 7,
  timestamp: 9,
  requestId: 17,
  ctyLength: 33,
};

function statelessCases(s: StatelessVector, p: StatelessVector, h: HandshakeVector): Case[] {
  const server = {
    receiver: 'server.openRequest',
    base: 'stateless/X25519',
    serverTime: SERVER_TIME,
    binding: s.request.binding,
  } as const;
  const message = s.request.message;
  const encAt = length(s.request.header);
  const ctAt = encAt + length(s.request.hpke.enc);
  const ts = s.request.timestamp;
  return [
    { ...server, name: 'ciphertext: last byte flipped', message: flip(message, -1), expect: 'ERR_DECRYPT' },
    { ...server, name: 'enc: first byte flipped', message: flip(message, encAt), expect: 'ERR_DECRYPT' },
    {
      ...server,
      name: 'enc: top bit of the X25519 key set (same DH result, different kem_context)',
      message: flip(message, ctAt - 1, 0x80),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'header: timestamp + 1 ms',
      message: flip(message, AT.timestamp + 7),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'header: request id bit flipped',
      message: flip(message, AT.requestId),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'header: content type changed, same length',
      message: flip(message, AT.ctyLength + 1, 0x20),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'binding: another target',
      binding: { method: 'POST', target: '/api/transfer?from=2' },
      message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'binding: another method',
      binding: { method: 'PUT', target: s.request.binding.target },
      message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'key id unknown (9)',
      message: patch(message, AT.keyId, '09'),
      expect: 'ERR_UNKNOWN_KEY',
    },
    {
      ...server,
      name: 'key id of an expired key (0)',
      message: patch(message, AT.keyId, '00'),
      expect: 'ERR_KEY_EXPIRED',
    },
    {
      ...server,
      name: 'key id of a key not yet valid (3)',
      message: patch(message, AT.keyId, '03'),
      expect: 'ERR_KEY_EXPIRED',
    },
    {
      ...server,
      name: 'key id of a P-256 key (2) on an X25519 message',
      message: patch(message, AT.keyId, '02'),
      expect: 'ERR_SUITE_NOT_ALLOWED',
    },
    {
      ...server,
      name: 'AEAD id 0x0003 (ChaCha20-Poly1305, not a cl1 suite)',
      message: patch(message, AT.aead, '0003'),
      expect: 'ERR_SUITE_NOT_ALLOWED',
    },
    {
      ...server,
      name: 'KDF id 0x0002 (HKDF-SHA384, an HPKE KDF outside the allowed suites)',
      message: patch(message, AT.kdf, '0002'),
      expect: 'ERR_SUITE_NOT_ALLOWED',
    },
    {
      ...server,
      name: 'KEM id 0x0021 (X448, unknown: enc length unknowable)',
      message: patch(message, AT.kem, '0021'),
      expect: 'ERR_SUITE_NOT_ALLOWED',
    },
    {
      ...server,
      name: 'server clock maxSkew + 1 ms after the timestamp',
      serverTime: ts + MAX_SKEW_MS + 1,
      message,
      expect: 'ERR_STALE',
    },
    {
      ...server,
      name: 'server clock maxSkew + 1 ms before the timestamp',
      serverTime: ts - MAX_SKEW_MS - 1,
      message,
      expect: 'ERR_STALE',
    },
    {
      ...server,
      name: 'replayed after being accepted',
      before: [{ message, binding: s.request.binding }],
      message,
      expect: 'ERR_REPLAY',
    },
    {
      ...server,
      name: 'replayed at the last accepted instant (server clock = timestamp + maxSkew)',
      serverTime: ts + MAX_SKEW_MS,
      before: [{ message, binding: s.request.binding }],
      message,
      expect: 'ERR_REPLAY',
    },
    {
      ...server,
      name: 'handshake request sent as a stateless request',
      binding: HANDSHAKE_BINDING,
      message: h.request.message,
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'ciphertext shorter than the tag',
      message: truncate(message, ctAt + 15),
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'truncated inside enc',
      message: truncate(message, encAt + 10),
      expect: 'ERR_MALFORMED',
    },
    { ...server, name: 'empty message', message: '', expect: 'ERR_MALFORMED' },
    { ...server, name: 'magic byte 0xc2', message: patch(message, AT.magic, 'c2'), expect: 'ERR_MALFORMED' },
    { ...server, name: 'message type 0x07', message: patch(message, AT.type, '07'), expect: 'ERR_MALFORMED' },
    {
      ...server,
      name: 'content type with a control character',
      message: patch(message, AT.ctyLength + 1, '0a'),
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'content type length past the end of the message',
      message: patch(message, AT.ctyLength, 'ff'),
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'timestamp above 2^53 - 1',
      message: patch(message, AT.timestamp, 'ff'),
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'message longer than maxBodyBytes + 1024 (checked before parsing)',
      maxBodyBytes: 0,
      message: message + '00'.repeat(1024),
      expect: 'ERR_TOO_LARGE',
    },
    {
      ...server,
      base: 'stateless/P-256',
      name: 'P-256 enc not on the curve',
      binding: p.request.binding,
      message: flip(p.request.message, length(p.request.header) + 64),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      base: 'stateless/P-256',
      name: 'P-256 enc with a compressed-point prefix (0x02)',
      binding: p.request.binding,
      message: patch(p.request.message, length(p.request.header), '02'),
      expect: 'ERR_DECRYPT',
    },
  ];
}

function handshakeServerCases(h: HandshakeVector, s: StatelessVector, shortKeyHandshake: string): Case[] {
  const server = {
    receiver: 'server.handshake',
    base: 'handshake/X25519',
    serverTime: SERVER_TIME,
    binding: HANDSHAKE_BINDING,
  } as const;
  return [
    {
      ...server,
      name: 'handshake replayed after being accepted',
      before: [{ message: h.request.message, binding: HANDSHAKE_BINDING }],
      message: h.request.message,
      expect: 'ERR_REPLAY',
    },
    {
      ...server,
      name: 'stateless request sent to the handshake endpoint',
      message: s.request.message,
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'stateless request relabelled as a handshake (type 0x03)',
      message: patch(s.request.message, AT.type, '03'),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'handshake to another target',
      binding: { method: 'POST', target: '/.well-known/cipherlayer/session2' },
      message: h.request.message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'client ephemeral key of 31 bytes inside an authentic handshake request',
      message: shortKeyHandshake,
      expect: 'ERR_MALFORMED',
    },
  ];
}

function clientCases(s: StatelessVector, p: StatelessVector, h: HandshakeVector): Case[] {
  const client = {
    receiver: 'client.openResponse',
    base: 'stateless/X25519',
    status: s.response.status,
  } as const;
  const response = s.response.message;
  const nonceAt = length(s.response.header);
  const handshake = {
    receiver: 'client.finishHandshake',
    base: 'handshake/X25519',
    status: HANDSHAKE_STATUS,
  } as const;
  return [
    {
      ...client,
      name: 'response under another HTTP status (200 for 201)',
      status: 200,
      message: response,
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'response nonce: first byte flipped',
      message: flip(response, nonceAt),
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'response ciphertext: last byte flipped',
      message: flip(response, -1),
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'response content type changed, same length',
      message: flip(response, 3, 0x20),
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'response to another request (the P-256 vector)',
      status: p.response.status,
      message: p.response.message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'response typed as a handshake response (0x04)',
      message: patch(response, 1, '04'),
      expect: 'ERR_MALFORMED',
    },
    {
      ...client,
      name: 'response shorter than nonce and tag',
      message: truncate(response, nonceAt + 32 + 15),
      expect: 'ERR_MALFORMED',
    },
    {
      ...handshake,
      name: 'handshake response under another HTTP status',
      status: 201,
      message: h.response.message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...handshake,
      name: 'handshake response typed as a stateless response (0x02)',
      message: patch(h.response.message, 1, '02'),
      expect: 'ERR_MALFORMED',
    },
    {
      ...handshake,
      name: 'handshake response grant ciphertext flipped',
      message: flip(h.response.message, -20),
      expect: 'ERR_DECRYPT',
    },
  ];
}

function sessionCases(x: SessionVector, p: SessionVector): Case[] {
  const [first, , far] = x.exchanges;
  if (first === undefined || far === undefined) throw new Error('session vector without its exchanges');
  const server = {
    receiver: 'server.openRequest',
    base: 'session/X25519',
    serverTime: SERVER_TIME,
    binding: first.request.binding,
  } as const;
  const message = first.request.message;
  const counterAt = 2 + 16;
  const client = {
    receiver: 'client.openSessionResponse',
    base: 'session/X25519',
    status: first.response.status,
    counter: first.counter,
  } as const;
  return [
    {
      ...server,
      name: 'session request replayed after being accepted',
      before: [{ message, binding: first.request.binding }],
      message,
      expect: 'ERR_REPLAY',
    },
    {
      ...server,
      name: 'session request older than the window',
      before: [{ message: far.request.message, binding: far.request.binding }],
      message,
      expect: 'ERR_REPLAY',
    },
    { ...server, name: 'unknown session id', message: flip(message, 2), expect: 'ERR_SESSION_UNKNOWN' },
    { ...server, name: 'session revoked', revoked: true, message, expect: 'ERR_SESSION_REVOKED' },
    {
      ...server,
      name: 'counter changed (0 to 1)',
      message: flip(message, counterAt + 7),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'counter at maxMessages (2^24)',
      message: patch(message, counterAt, '0000000001000000'),
      expect: 'ERR_SESSION_LIMIT',
    },
    {
      ...server,
      name: 'counter above 2^53 - 1',
      message: patch(message, counterAt, 'ff'),
      expect: 'ERR_MALFORMED',
    },
    {
      ...server,
      name: 'session ciphertext: last byte flipped',
      message: flip(message, -1),
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'session request to another target',
      binding: { method: 'POST', target: '/api/transfer?' },
      message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...server,
      name: 'session ciphertext shorter than the tag',
      message: truncate(message, length(first.request.header) + 15),
      expect: 'ERR_MALFORMED',
    },
    {
      ...client,
      name: 'session response to counter 0 read as the response to counter 1',
      counter: 1,
      message: first.response.message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'session response counter rewritten to match another request',
      counter: 1,
      message: flip(first.response.message, 2 + 7),
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'session response under another HTTP status',
      status: 201,
      message: first.response.message,
      expect: 'ERR_DECRYPT',
    },
    {
      ...client,
      name: 'session response of another session (P-256)',
      message: (p.exchanges[0] as typeof first).response.message,
      expect: 'ERR_DECRYPT',
    },
  ];
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets an unused trailing bit of a base64url string: decodes to the same bytes leniently. */
function setTrailingBit(text: string): string {
  const last = B64URL.indexOf(text.at(-1) as string);
  return text.slice(0, -1) + B64URL[last | 1];
}

function shift(from: string, to: string): [string, string] {
  // Moves the last byte of `from` to the front of `to` (both base64url).
  const a = fromBase64Url(from);
  return [toBase64Url(a.subarray(0, -1)), toBase64Url(concat(a.subarray(-1), fromBase64Url(to)))];
}

function jsonCases(s: StatelessVector, x: SessionVector): Case[] {
  const request = s.request.json as Record<string, unknown> & { rid: string; enc: string; ct: string };
  const response = s.response.json as Record<string, unknown> & { nonce: string; ct: string };
  const session = (x.exchanges[0] as SessionVector['exchanges'][number]).request.json as Record<
    string,
    unknown
  > & {
    sid: string;
  };
  const decode = { receiver: 'json.decode', expect: 'ERR_MALFORMED' } as const;
  const without = (value: Record<string, unknown>, name: string) =>
    Object.fromEntries(Object.entries(value).filter(([k]) => k !== name));
  const [enc, ct] = shift(request.enc, request.ct);
  const [nonce, rct] = shift(response.nonce, response.ct);
  return [
    { ...decode, name: 'unknown member', json: { ...request, extra: 1 } },
    { ...decode, name: 'missing member (rid)', json: without(request, 'rid') },
    { ...decode, name: 'unknown message tag', json: { ...request, cl1: 'requests' } },
    { ...decode, name: 'not an object', json: [request] },
    { ...decode, name: 'padded base64url', json: { ...request, rid: `${request.rid}==` } },
    {
      ...decode,
      name: 'base64url with a trailing bit set (non-canonical)',
      json: { ...request, rid: setTrailingBit(request.rid) },
    },
    { ...decode, name: 'standard base64 alphabet', json: { ...request, ct: `+${request.ct.slice(1)}` } },
    {
      ...decode,
      name: 'enc one byte short, ct one byte long (same binary bytes)',
      json: { ...request, enc, ct },
    },
    {
      ...decode,
      name: 'response nonce one byte short, ct one byte long',
      json: { ...response, nonce, ct: rct },
    },
    { ...decode, name: 'timestamp as a string', json: { ...request, ts: String(request.ts) } },
    { ...decode, name: 'key id above 255', json: { ...request, kid: 256 } },
    { ...decode, name: 'request id of 15 bytes', json: { ...request, rid: request.rid.slice(0, 20) } },
    { ...decode, name: 'content type outside visible ASCII', json: { ...request, cty: 'application/jsön' } },
    { ...decode, name: 'counter not an integer', json: { ...session, n: 1.5 } },
    { ...decode, name: 'counter negative', json: { ...session, n: -1 } },
    { ...decode, name: 'session id of 15 bytes', json: { ...session, sid: session.sid.slice(0, 20) } },
  ];
}

const MEMBER_ORDER: readonly (keyof NegativeInput)[] = [
  'name',
  'receiver',
  'base',
  'serverTime',
  'maxBodyBytes',
  'binding',
  'status',
  'counter',
  'revoked',
  'before',
  'message',
  'json',
];

/** One member order for every vector, whatever order its case was written in. */
function inOrder(input: NegativeInput, code: ErrorCode): NegativeVector {
  const out: Record<string, unknown> = {};
  for (const name of MEMBER_ORDER) if (input[name] !== undefined) out[name] = input[name];
  out.error = { code, status: errorRegistry[code].status };
  return out as unknown as NegativeVector;
}

/** Tampered and misdirected messages, each with the error its receiver must answer. */
export async function negativeVectors(context: ReceiverContext): Promise<NegativeVector[]> {
  const get = <T>(name: string) => context.vectors.get(name) as T;
  const s = get<StatelessVector>('stateless/X25519');
  const p = get<StatelessVector>('stateless/P-256');
  const h = get<HandshakeVector>('handshake/X25519');
  const x = get<SessionVector>('session/X25519');
  const xp = get<SessionVector>('session/P-256');

  // An authentic handshake request whose body is one byte short of a public key.
  const script = scriptedBackend(context.backend, CRAFTED_REQUEST_DRAWS);
  const key = context.keySet.lookup(h.serverKey.keyId, SERVER_TIME);
  const crafted = await runFlow(
    script.backend,
    sealEncapsulatedRequest({
      type: MessageType.HandshakeRequest,
      key: { keyId: key.keyId, suite: key.suite, publicKey: key.publicKey },
      binding: HANDSHAKE_BINDING,
      contentType: '',
      body: fromHex(h.clientEphemeral.publicKey).subarray(0, 31),
      timestamp: CLIENT_TIME,
    }),
  );
  script.assertDone();

  const cases = [
    ...statelessCases(s, p, h),
    ...handshakeServerCases(h, s, toHex(crafted.message)),
    ...clientCases(s, p, h),
    ...sessionCases(x, xp),
    ...jsonCases(s, x),
  ];
  const vectors: NegativeVector[] = [];
  for (const { expect, ...input } of cases) {
    const outcome = await outcomeOf(context, input);
    if (outcome !== expect)
      throw new Error(`negative vector "${input.name}": expected ${expect}, got ${outcome}`);
    vectors.push(inOrder(input, expect));
  }
  return vectors;
}
