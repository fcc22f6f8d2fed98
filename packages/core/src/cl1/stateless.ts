import type { HpkeContext } from '../hpke/context.js';
import { generateKeyPair } from '../hpke/kem.js';
import type { Suite } from '../hpke/suites.js';
import type { DhKeyPair } from '../lib/backend.js';
import { type Bytes, concat } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';
import {
  openRequestPayload,
  openResponsePayload,
  responseNonceLength,
  sealRequestPayload,
  sealResponsePayload,
} from '../ohttp/encapsulation.js';
import { type RequestBinding, requestAad, responseAad } from './binding.js';
import { labels } from './labels.js';
import {
  type EncapsulatedRequest,
  type EncapsulatedResponse,
  encodeRequestHeader,
  encodeResponseHeader,
  MessageType,
  parseEncapsulatedResponse,
  REQUEST_ID_LENGTH,
} from './messages.js';

/** A server public key as a client uses it: from a key config or a discovery document. */
export interface ServerPublicKey {
  readonly keyId: number;
  readonly suite: Suite;
  readonly publicKey: Uint8Array;
}

type RequestType = EncapsulatedRequest['type'];
type ResponseType = EncapsulatedResponse['type'];

const requestLabel = (type: RequestType) =>
  type === MessageType.Request ? labels.request : labels.handshakeRequest;
const responseLabel = (type: ResponseType) =>
  type === MessageType.Response ? labels.response : labels.handshakeResponse;
const responseTypeFor = (type: RequestType): ResponseType =>
  type === MessageType.Request ? MessageType.Response : MessageType.HandshakeResponse;

/** What the client keeps between sending a request and reading its response. */
export interface PendingResponse {
  readonly responseType: ResponseType;
  readonly context: HpkeContext;
  readonly enc: Uint8Array;
  readonly requestId: Uint8Array;
}

export interface SealedRequest {
  readonly message: Bytes;
  readonly pending: PendingResponse;
}

/** Client: seals a request (or a handshake request) to a server key. */
export function* sealEncapsulatedRequest(params: {
  type: RequestType;
  key: ServerPublicKey;
  binding: RequestBinding;
  contentType: string;
  body: Uint8Array;
  timestamp: number;
}): Flow<SealedRequest> {
  const { suite } = params.key;
  const requestId = yield* call((b) => b.randomBytes(REQUEST_ID_LENGTH));
  const header = encodeRequestHeader({
    type: params.type,
    keyId: params.key.keyId,
    kemId: suite.kem.id,
    kdfId: suite.kdf.id,
    aeadId: suite.aead.id,
    timestamp: params.timestamp,
    requestId,
    contentType: params.contentType,
  });
  const ephemeral = yield* generateKeyPair(suite.kem, suite.kemSuiteId);
  const sealed = yield* sealRequestPayload({
    suite,
    recipientPublicKey: params.key.publicKey,
    label: requestLabel(params.type),
    header,
    aad: requestAad(header, params.binding),
    plaintext: params.body,
    ephemeral,
  });
  return {
    message: concat(header, sealed.enc, sealed.ciphertext),
    pending: {
      responseType: responseTypeFor(params.type),
      context: sealed.context,
      enc: sealed.enc,
      requestId,
    },
  };
}

/** Server: opens a parsed request with the private key its key id named. */
export function* openEncapsulatedRequest(
  request: EncapsulatedRequest,
  suite: Suite,
  recipient: DhKeyPair,
  binding: RequestBinding,
): Flow<{ body: Uint8Array; context: HpkeContext }> {
  const { plaintext, context } = yield* openRequestPayload({
    suite,
    recipient,
    label: requestLabel(request.type),
    header: request.header,
    enc: request.enc,
    aad: requestAad(request.header, binding),
    ciphertext: request.ciphertext,
  });
  return { body: plaintext, context };
}

/** Server: seals the response to the request whose context and `enc` are given. */
export function* sealEncapsulatedResponse(params: {
  type: ResponseType;
  context: HpkeContext;
  enc: Uint8Array;
  status: number;
  contentType: string;
  body: Uint8Array;
}): Flow<Bytes> {
  const header = encodeResponseHeader(params.type, params.contentType);
  const nonceLength = responseNonceLength(params.context.suite);
  const responseNonce = yield* call((b) => b.randomBytes(nonceLength));
  const ciphertext = yield* sealResponsePayload({
    context: params.context,
    enc: params.enc,
    responseNonce,
    label: responseLabel(params.type),
    aad: responseAad(header, params.status),
    plaintext: params.body,
  });
  return concat(header, responseNonce, ciphertext);
}

/** Client: opens the response to a request it sealed. The status is authenticated. */
export function* openEncapsulatedResponse(
  pending: PendingResponse,
  message: Uint8Array,
  status: number,
): Flow<{ contentType: string; body: Uint8Array }> {
  const response = parseEncapsulatedResponse(message, responseNonceLength(pending.context.suite));
  if (response.type !== pending.responseType) throw new CipherlayerError('ERR_MALFORMED');
  const body = yield* openResponsePayload({
    context: pending.context,
    enc: pending.enc,
    responseNonce: response.responseNonce,
    label: responseLabel(response.type),
    aad: responseAad(response.header, status),
    ciphertext: response.ciphertext,
  });
  return { contentType: response.contentType, body };
}
