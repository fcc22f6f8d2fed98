import { type HpkeContext, setupBaseRecipient, setupBaseSender } from '../hpke/context.js';
import { expand, extract } from '../hpke/kdf.js';
import type { Suite } from '../hpke/suites.js';
import type { DhKeyPair } from '../lib/backend.js';
import { concat, utf8 } from '../lib/bytes.js';
import { CipherlayerError, decryptFailure } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';

/**
 * The encapsulation of RFC 9458 section 4, with the labels and associated
 * data as parameters: RFC 9458 itself uses "message/bhttp request" and
 * "message/bhttp response" with empty AAD; cl1 uses its own labels and binds
 * the request line as AAD. Same code path for both.
 */
const ZERO = Uint8Array.of(0);
const LABEL_KEY = utf8('key');
const LABEL_NONCE = utf8('nonce');

export function requestInfo(label: Uint8Array, header: Uint8Array): Uint8Array {
  return concat(label, ZERO, header);
}

export interface SealedRequest {
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly context: HpkeContext;
}

export function* sealRequestPayload(params: {
  suite: Suite;
  recipientPublicKey: Uint8Array;
  label: Uint8Array;
  header: Uint8Array;
  aad: Uint8Array;
  plaintext: Uint8Array;
  ephemeral: DhKeyPair;
}): Flow<SealedRequest> {
  const info = requestInfo(params.label, params.header);
  const { enc, context } = yield* setupBaseSender(
    params.suite,
    params.recipientPublicKey,
    info,
    params.ephemeral,
  );
  const ciphertext = yield* context.seal(params.aad, params.plaintext);
  return { enc, ciphertext, context };
}

export interface OpenedRequestPayload {
  readonly plaintext: Uint8Array;
  readonly context: HpkeContext;
}

/** Any failure, including an invalid encapsulated key, is the one generic decryption error. */
export function* openRequestPayload(params: {
  suite: Suite;
  recipient: DhKeyPair;
  label: Uint8Array;
  header: Uint8Array;
  enc: Uint8Array;
  aad: Uint8Array;
  ciphertext: Uint8Array;
}): Flow<OpenedRequestPayload> {
  try {
    const info = requestInfo(params.label, params.header);
    const context = yield* setupBaseRecipient(params.suite, params.enc, params.recipient, info);
    const plaintext = yield* context.open(params.aad, params.ciphertext);
    return { plaintext, context };
  } catch (cause) {
    throw cause instanceof CipherlayerError && cause.code === 'ERR_DECRYPT' ? cause : decryptFailure(cause);
  }
}

/** max(Nn, Nk): the response nonce length of RFC 9458 section 4.4. */
export function responseNonceLength(suite: Suite): number {
  return Math.max(suite.aead.nn, suite.aead.nk);
}

/** The response key and nonce, from the request's HPKE context (RFC 9458, section 4.4). */
export function* responseKeyMaterial(
  context: HpkeContext,
  enc: Uint8Array,
  responseNonce: Uint8Array,
  label: Uint8Array,
): Flow<{ key: Uint8Array; nonce: Uint8Array }> {
  const { kdf, aead } = context.suite;
  if (responseNonce.length !== responseNonceLength(context.suite)) throw decryptFailure();
  const secret = yield* context.export(label, responseNonceLength(context.suite));
  const prk = yield* extract(kdf.hash, concat(enc, responseNonce), secret);
  const key = yield* expand(kdf.hash, prk, LABEL_KEY, aead.nk);
  const nonce = yield* expand(kdf.hash, prk, LABEL_NONCE, aead.nn);
  return { key, nonce };
}

function* responseAeadKey(
  context: HpkeContext,
  enc: Uint8Array,
  responseNonce: Uint8Array,
  label: Uint8Array,
) {
  const algorithm = context.suite.aead.algorithm;
  if (algorithm === undefined) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  const material = yield* responseKeyMaterial(context, enc, responseNonce, label);
  const key = yield* call((b) => b.importAeadKey(algorithm, material.key));
  return { key, nonce: material.nonce };
}

export function* sealResponsePayload(params: {
  context: HpkeContext;
  enc: Uint8Array;
  responseNonce: Uint8Array;
  label: Uint8Array;
  aad: Uint8Array;
  plaintext: Uint8Array;
}): Flow<Uint8Array> {
  const { key, nonce } = yield* responseAeadKey(
    params.context,
    params.enc,
    params.responseNonce,
    params.label,
  );
  return yield* call((b) => b.seal(key, nonce, params.aad, params.plaintext));
}

export function* openResponsePayload(params: {
  context: HpkeContext;
  enc: Uint8Array;
  responseNonce: Uint8Array;
  label: Uint8Array;
  aad: Uint8Array;
  ciphertext: Uint8Array;
}): Flow<Uint8Array> {
  const { key, nonce } = yield* responseAeadKey(
    params.context,
    params.enc,
    params.responseNonce,
    params.label,
  );
  return yield* call((b) => b.open(key, nonce, params.aad, params.ciphertext));
}
