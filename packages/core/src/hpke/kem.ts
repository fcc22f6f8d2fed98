import type { DhKeyPair } from '../lib/backend.js';
import { concat, utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';
import { labeledExpand, labeledExtract } from './kdf.js';
import type { KemParams, Suite } from './suites.js';

const EMPTY = new Uint8Array(0);
const LABEL_DKP_PRK = utf8('dkp_prk');
const LABEL_SK = utf8('sk');
const LABEL_CANDIDATE = utf8('candidate');
const LABEL_EAE_PRK = utf8('eae_prk');
const LABEL_SHARED_SECRET = utf8('shared_secret');

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * The private-key half of DeriveKeyPair (RFC 9180, section 7.1.3): X25519
 * takes the expanded bytes as the scalar; NIST curves use rejection sampling
 * against the group order.
 */
export function* deriveSecretKey(kem: KemParams, kemSuiteId: Uint8Array, ikm: Uint8Array): Flow<Uint8Array> {
  if (ikm.length < kem.nSk)
    throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'key material too short' });
  const dkpPrk = yield* labeledExtract(kem.hash, kemSuiteId, EMPTY, LABEL_DKP_PRK, ikm);
  if (kem.order === undefined)
    return yield* labeledExpand(kem.hash, kemSuiteId, dkpPrk, LABEL_SK, EMPTY, kem.nSk);
  for (let counter = 0; counter < 256; counter++) {
    const candidate = yield* labeledExpand(
      kem.hash,
      kemSuiteId,
      dkpPrk,
      LABEL_CANDIDATE,
      Uint8Array.of(counter),
      kem.nSk,
    );
    candidate[0] = (candidate[0] as number) & (kem.bitmask as number);
    const scalar = toBigInt(candidate);
    if (scalar !== 0n && scalar < kem.order) return candidate;
  }
  throw new CipherlayerError('ERR_INVALID_KEY');
}

/** DeriveKeyPair: the secret from `deriveSecretKey`, imported with its public key. */
export function* deriveKeyPair(kem: KemParams, kemSuiteId: Uint8Array, ikm: Uint8Array): Flow<DhKeyPair> {
  const secret = yield* deriveSecretKey(kem, kemSuiteId, ikm);
  return yield* call((b) => b.importDhPrivateKey(kem.curve, secret));
}

/** GenerateKeyPair: DeriveKeyPair over Nsk fresh random bytes. */
export function* generateKeyPair(kem: KemParams, kemSuiteId: Uint8Array): Flow<DhKeyPair> {
  const ikm = yield* call((b) => b.randomBytes(kem.nSk));
  return yield* deriveKeyPair(kem, kemSuiteId, ikm);
}

/** Imports a serialized private key (SerializePrivateKey format) after range checks. */
export function* importPrivateKey(kem: KemParams, secret: Uint8Array): Flow<DhKeyPair> {
  if (secret.length !== kem.nSk) throw new CipherlayerError('ERR_INVALID_KEY');
  if (kem.order !== undefined) {
    const scalar = toBigInt(secret);
    if (scalar === 0n || scalar >= kem.order) throw new CipherlayerError('ERR_INVALID_KEY');
  }
  return yield* call((b) => b.importDhPrivateKey(kem.curve, secret));
}

function* extractAndExpand(suite: Suite, dh: Uint8Array, kemContext: Uint8Array): Flow<Uint8Array> {
  const { kem, kemSuiteId } = suite;
  const prk = yield* labeledExtract(kem.hash, kemSuiteId, EMPTY, LABEL_EAE_PRK, dh);
  return yield* labeledExpand(kem.hash, kemSuiteId, prk, LABEL_SHARED_SECRET, kemContext, kem.nSecret);
}

export interface Encapsulation {
  readonly sharedSecret: Uint8Array;
  readonly enc: Uint8Array;
}

/**
 * Encap (RFC 9180, section 4.1). The ephemeral key pair is the caller's:
 * random in use (see `generateKeyPair`), fixed in test vectors.
 */
export function* encap(
  suite: Suite,
  recipientPublicKey: Uint8Array,
  ephemeral: DhKeyPair,
): Flow<Encapsulation> {
  const dh = yield* call((b) => b.dh(suite.kem.curve, ephemeral.privateKey, recipientPublicKey));
  const enc = ephemeral.publicKey;
  const sharedSecret = yield* extractAndExpand(suite, dh, concat(enc, recipientPublicKey));
  return { sharedSecret, enc };
}

/** Decap (RFC 9180, section 4.1). A bad `enc` is ERR_INVALID_KEY. */
export function* decap(suite: Suite, enc: Uint8Array, recipient: DhKeyPair): Flow<Uint8Array> {
  if (enc.length !== suite.kem.nEnc) throw new CipherlayerError('ERR_INVALID_KEY');
  const dh = yield* call((b) => b.dh(suite.kem.curve, recipient.privateKey, enc));
  return yield* extractAndExpand(suite, dh, concat(enc, recipient.publicKey));
}
