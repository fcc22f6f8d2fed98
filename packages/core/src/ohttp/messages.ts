import type { HpkeContext } from '../hpke/context.js';
import { hpkeSuite, type Suite } from '../hpke/suites.js';
import type { DhKeyPair } from '../lib/backend.js';
import { concat, utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import type { Flow } from '../lib/flow.js';
import { ByteReader, ByteWriter } from '../lib/reader.js';
import {
  openRequestPayload,
  openResponsePayload,
  responseNonceLength,
  sealRequestPayload,
  sealResponsePayload,
} from './encapsulation.js';

/** Plain RFC 9458 Oblivious HTTP messages, with the RFC's own labels. */
export const OHTTP_REQUEST_LABEL = utf8('message/bhttp request');
export const OHTTP_RESPONSE_LABEL = utf8('message/bhttp response');
const EMPTY = new Uint8Array(0);

export function ohttpRequestHeader(keyId: number, suite: Suite): Uint8Array {
  return new ByteWriter().u8(keyId).u16(suite.kem.id).u16(suite.kdf.id).u16(suite.aead.id).finish();
}

export interface OhttpClientRequest {
  readonly encapsulated: Uint8Array;
  readonly enc: Uint8Array;
  readonly context: HpkeContext;
}

export function* encapsulateOhttpRequest(params: {
  keyId: number;
  suite: Suite;
  publicKey: Uint8Array;
  request: Uint8Array;
  ephemeral: DhKeyPair;
}): Flow<OhttpClientRequest> {
  const header = ohttpRequestHeader(params.keyId, params.suite);
  const sealed = yield* sealRequestPayload({
    suite: params.suite,
    recipientPublicKey: params.publicKey,
    label: OHTTP_REQUEST_LABEL,
    header,
    aad: EMPTY,
    plaintext: params.request,
    ephemeral: params.ephemeral,
  });
  return {
    encapsulated: concat(header, sealed.enc, sealed.ciphertext),
    enc: sealed.enc,
    context: sealed.context,
  };
}

export interface OhttpServerRequest {
  readonly keyId: number;
  readonly request: Uint8Array;
  readonly enc: Uint8Array;
  readonly context: HpkeContext;
}

export function* decapsulateOhttpRequest(
  encapsulated: Uint8Array,
  keyFor: (keyId: number, suite: Suite) => DhKeyPair,
): Flow<OhttpServerRequest> {
  const reader = new ByteReader(encapsulated);
  const keyId = reader.u8();
  const suite = hpkeSuite(reader.u16(), reader.u16(), reader.u16());
  const header = encapsulated.subarray(0, reader.offset);
  const enc = reader.take(suite.kem.nEnc);
  const ciphertext = reader.rest();
  const recipient = keyFor(keyId, suite);
  const { plaintext, context } = yield* openRequestPayload({
    suite,
    recipient,
    label: OHTTP_REQUEST_LABEL,
    header,
    enc,
    aad: EMPTY,
    ciphertext,
  });
  return { keyId, request: plaintext, enc, context };
}

export function* encapsulateOhttpResponse(params: {
  context: HpkeContext;
  enc: Uint8Array;
  response: Uint8Array;
  responseNonce: Uint8Array;
}): Flow<Uint8Array> {
  const ciphertext = yield* sealResponsePayload({
    context: params.context,
    enc: params.enc,
    responseNonce: params.responseNonce,
    label: OHTTP_RESPONSE_LABEL,
    aad: EMPTY,
    plaintext: params.response,
  });
  return concat(params.responseNonce, ciphertext);
}

export function* decapsulateOhttpResponse(params: {
  context: HpkeContext;
  enc: Uint8Array;
  encapsulated: Uint8Array;
}): Flow<Uint8Array> {
  const nonceLength = responseNonceLength(params.context.suite);
  if (params.encapsulated.length < nonceLength) throw new CipherlayerError('ERR_MALFORMED');
  return yield* openResponsePayload({
    context: params.context,
    enc: params.enc,
    responseNonce: params.encapsulated.subarray(0, nonceLength),
    label: OHTTP_RESPONSE_LABEL,
    aad: EMPTY,
    ciphertext: params.encapsulated.subarray(nonceLength),
  });
}
