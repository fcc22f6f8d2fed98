import { generateKeyPair } from '../hpke/kem.js';
import type { Suite } from '../hpke/suites.js';
import type { DhKeyPair } from '../lib/backend.js';
import type { Bytes } from '../lib/bytes.js';
import { CipherlayerError, decryptFailure } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';
import { ByteReader, ByteWriter } from '../lib/reader.js';
import type { RequestBinding } from './binding.js';
import { type EncapsulatedRequest, MessageType, SESSION_ID_LENGTH } from './messages.js';
import { deriveSessionKeys, type SessionKeyMaterial } from './session-keys.js';
import {
  openEncapsulatedRequest,
  openEncapsulatedResponse,
  type PendingResponse,
  type ServerPublicKey,
  sealEncapsulatedRequest,
  sealEncapsulatedResponse,
} from './stateless.js';

/** The handshake response is always sent with status 200, and that status is authenticated. */
export const HANDSHAKE_STATUS = 200;

/** What the server grants in a handshake response. */
export interface SessionGrant {
  readonly sessionId: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  readonly expiresAt: number;
  /** Message counters from 0 to maxMessages - 1 are usable; then the client handshakes again. */
  readonly maxMessages: number;
}

export interface PendingHandshake {
  readonly pending: PendingResponse;
  readonly ephemeral: DhKeyPair;
  readonly suite: Suite;
}

/** Client: a handshake request carries only the client's ephemeral public key. */
export function* startHandshake(params: {
  key: ServerPublicKey;
  binding: RequestBinding;
  timestamp: number;
}): Flow<{ message: Bytes; handshake: PendingHandshake }> {
  const { suite } = params.key;
  const ephemeral = yield* generateKeyPair(suite.kem, suite.kemSuiteId);
  const sealed = yield* sealEncapsulatedRequest({
    type: MessageType.HandshakeRequest,
    key: params.key,
    binding: params.binding,
    contentType: '',
    body: ephemeral.publicKey,
    timestamp: params.timestamp,
  });
  return { message: sealed.message, handshake: { pending: sealed.pending, ephemeral, suite } };
}

function encodeGrant(grant: SessionGrant, serverPublicKey: Uint8Array): Uint8Array {
  if (grant.sessionId.length !== SESSION_ID_LENGTH)
    throw new CipherlayerError('ERR_CONFIG', { detail: 'session id length' });
  return new ByteWriter()
    .bytes(grant.sessionId)
    .u64(grant.expiresAt)
    .u32(grant.maxMessages)
    .bytes(serverPublicKey)
    .finish();
}

function decodeGrant(body: Uint8Array, suite: Suite): { grant: SessionGrant; serverPublicKey: Uint8Array } {
  const reader = new ByteReader(body);
  const sessionId = reader.take(SESSION_ID_LENGTH);
  const expiresAt = reader.u64();
  const maxMessages = reader.u32();
  const serverPublicKey = reader.take(suite.kem.nPk);
  reader.end();
  return { grant: { sessionId, expiresAt, maxMessages }, serverPublicKey };
}

/**
 * Server: opens a handshake request, makes its own ephemeral key, derives
 * the session keys and seals the grant. The server's ephemeral private key
 * is dropped when this returns.
 */
export function* acceptHandshake(params: {
  request: EncapsulatedRequest;
  suite: Suite;
  recipient: DhKeyPair;
  binding: RequestBinding;
  grant: SessionGrant;
}): Flow<{ response: Bytes; keys: SessionKeyMaterial }> {
  const { request, suite } = params;
  if (request.type !== MessageType.HandshakeRequest) throw new CipherlayerError('ERR_MALFORMED');
  const { body: clientPublicKey, context } = yield* openEncapsulatedRequest(
    request,
    suite,
    params.recipient,
    params.binding,
  );
  if (clientPublicKey.length !== suite.kem.nPk) throw new CipherlayerError('ERR_MALFORMED');
  const ephemeral = yield* generateKeyPair(suite.kem, suite.kemSuiteId);
  let dh: Uint8Array;
  try {
    dh = yield* call((b) => b.dh(suite.kem.curve, ephemeral.privateKey, clientPublicKey));
  } catch (cause) {
    throw decryptFailure(cause);
  }
  const keys = yield* deriveSessionKeys(
    context,
    dh,
    params.grant.sessionId,
    clientPublicKey,
    ephemeral.publicKey,
  );
  const response = yield* sealEncapsulatedResponse({
    type: MessageType.HandshakeResponse,
    context,
    enc: request.enc,
    status: HANDSHAKE_STATUS,
    contentType: '',
    body: encodeGrant(params.grant, ephemeral.publicKey),
  });
  return { response, keys };
}

/** Client: opens the grant and derives the same session keys. */
export function* finishHandshake(
  handshake: PendingHandshake,
  message: Uint8Array,
  status: number,
): Flow<{ grant: SessionGrant; keys: SessionKeyMaterial }> {
  const { body } = yield* openEncapsulatedResponse(handshake.pending, message, status);
  const { grant, serverPublicKey } = decodeGrant(body, handshake.suite);
  let dh: Uint8Array;
  try {
    dh = yield* call((b) => b.dh(handshake.suite.kem.curve, handshake.ephemeral.privateKey, serverPublicKey));
  } catch (cause) {
    throw decryptFailure(cause);
  }
  const keys = yield* deriveSessionKeys(
    handshake.pending.context,
    dh,
    grant.sessionId,
    handshake.ephemeral.publicKey,
    serverPublicKey,
  );
  return { grant, keys };
}
