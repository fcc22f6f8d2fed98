import { labels } from '../../cl1/labels.js';
import { expand, extract, labeledExpand, labeledExtract } from '../../hpke/kdf.js';
import { deriveSecretKey, importPrivateKey } from '../../hpke/kem.js';
import type { Suite } from '../../hpke/suites.js';
import type { DhKeyPair } from '../../lib/backend.js';
import { concat, toHex, utf8 } from '../../lib/bytes.js';
import { call, type Flow } from '../../lib/flow.js';
import { requestInfo, responseNonceLength } from '../../ohttp/encapsulation.js';

/**
 * The intermediate values of cl1, computed step by step from the RFC 9180
 * and RFC 9458 definitions with the low-level KDF and KEM functions. The
 * generator checks that these steps reproduce the bytes the protocol code
 * produced, so each recorded intermediate is the one the messages used.
 */
const EMPTY = new Uint8Array(0);

export interface KeyPairTrace {
  readonly ikm: Uint8Array;
  /** SerializePrivateKey: the X25519 scalar or the big-endian P-256 scalar. */
  readonly privateKey: Uint8Array;
  /** SerializePublicKey: 32 bytes (X25519) or the uncompressed point (P-256). */
  readonly publicKey: Uint8Array;
}

/** DeriveKeyPair (RFC 9180, section 7.1.3). */
export function* deriveTracedKeyPair(
  suite: Suite,
  ikm: Uint8Array,
): Flow<{ trace: KeyPairTrace; pair: DhKeyPair }> {
  const privateKey = yield* deriveSecretKey(suite.kem, suite.kemSuiteId, ikm);
  const pair = yield* importPrivateKey(suite.kem, privateKey);
  return { trace: { ikm, privateKey, publicKey: pair.publicKey }, pair };
}

export interface HpkeSetupTrace {
  readonly suiteId: Uint8Array;
  readonly kemSuiteId: Uint8Array;
  readonly ephemeralIkm: Uint8Array;
  readonly ephemeralPrivateKey: Uint8Array;
  readonly enc: Uint8Array;
  readonly recipientPublicKey: Uint8Array;
  readonly dh: Uint8Array;
  readonly kemContext: Uint8Array;
  readonly eaePrk: Uint8Array;
  readonly sharedSecret: Uint8Array;
  readonly label: string;
  readonly info: Uint8Array;
  readonly pskIdHash: Uint8Array;
  readonly infoHash: Uint8Array;
  readonly keyScheduleContext: Uint8Array;
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

/** SetupBaseS (RFC 9180, sections 4.1 and 5.1) with info = label || 0x00 || header. */
export function* traceHpkeSetup(params: {
  suite: Suite;
  recipientPublicKey: Uint8Array;
  ephemeralIkm: Uint8Array;
  label: Uint8Array;
  header: Uint8Array;
}): Flow<HpkeSetupTrace> {
  const { suite, recipientPublicKey } = params;
  const { kem, kdf, aead } = suite;
  const ephemeral = yield* deriveTracedKeyPair(suite, params.ephemeralIkm);
  const enc = ephemeral.trace.publicKey;
  const dh = yield* call((b) => b.dh(kem.curve, ephemeral.pair.privateKey, recipientPublicKey));
  const kemContext = concat(enc, recipientPublicKey);
  const eaePrk = yield* labeledExtract(kem.hash, suite.kemSuiteId, EMPTY, utf8('eae_prk'), dh);
  const sharedSecret = yield* labeledExpand(
    kem.hash,
    suite.kemSuiteId,
    eaePrk,
    utf8('shared_secret'),
    kemContext,
    kem.nSecret,
  );
  const info = requestInfo(params.label, params.header);
  const pskIdHash = yield* labeledExtract(kdf.hash, suite.id, EMPTY, utf8('psk_id_hash'), EMPTY);
  const infoHash = yield* labeledExtract(kdf.hash, suite.id, EMPTY, utf8('info_hash'), info);
  const keyScheduleContext = concat(Uint8Array.of(0), pskIdHash, infoHash);
  const secret = yield* labeledExtract(kdf.hash, suite.id, sharedSecret, utf8('secret'), EMPTY);
  const expandSecret = (label: string, length: number) =>
    labeledExpand(kdf.hash, suite.id, secret, utf8(label), keyScheduleContext, length);
  return {
    suiteId: suite.id,
    kemSuiteId: suite.kemSuiteId,
    ephemeralIkm: params.ephemeralIkm,
    ephemeralPrivateKey: ephemeral.trace.privateKey,
    enc,
    recipientPublicKey,
    dh,
    kemContext,
    eaePrk,
    sharedSecret,
    label: new TextDecoder().decode(params.label),
    info,
    pskIdHash,
    infoHash,
    keyScheduleContext,
    secret,
    key: yield* expandSecret('key', aead.nk),
    baseNonce: yield* expandSecret('base_nonce', aead.nn),
    exporterSecret: yield* expandSecret('exp', kdf.nh),
  };
}

/** Secret export (RFC 9180, section 5.3) from a recorded exporter secret. */
export function exportSecret(
  suite: Suite,
  exporterSecret: Uint8Array,
  context: Uint8Array,
  length: number,
): Flow<Uint8Array> {
  return labeledExpand(suite.kdf.hash, suite.id, exporterSecret, utf8('sec'), context, length);
}

export interface ResponseKeyTrace {
  readonly label: string;
  readonly exportedSecret: Uint8Array;
  readonly responseNonce: Uint8Array;
  readonly salt: Uint8Array;
  readonly prk: Uint8Array;
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
}

/** The response key and nonce of RFC 9458 section 4.4, with a cl1 label as the export context. */
export function* traceResponseKeys(params: {
  suite: Suite;
  exporterSecret: Uint8Array;
  enc: Uint8Array;
  responseNonce: Uint8Array;
  label: Uint8Array;
}): Flow<ResponseKeyTrace> {
  const { suite } = params;
  const { kdf, aead } = suite;
  const exportedSecret = yield* exportSecret(
    suite,
    params.exporterSecret,
    params.label,
    responseNonceLength(suite),
  );
  const salt = concat(params.enc, params.responseNonce);
  const prk = yield* extract(kdf.hash, salt, exportedSecret);
  return {
    label: new TextDecoder().decode(params.label),
    exportedSecret,
    responseNonce: params.responseNonce,
    salt,
    prk,
    key: yield* expand(kdf.hash, prk, utf8('key'), aead.nk),
    nonce: yield* expand(kdf.hash, prk, utf8('nonce'), aead.nn),
  };
}

export interface SessionKeyTrace {
  readonly dh: Uint8Array;
  readonly exportContext: string;
  readonly salt: Uint8Array;
  readonly prk: Uint8Array;
  readonly transcript: Uint8Array;
  readonly c2sKey: Uint8Array;
  readonly c2sIv: Uint8Array;
  readonly s2cKey: Uint8Array;
  readonly s2cIv: Uint8Array;
}

/** The session key schedule (spec/protocol.md, "Session keys"). */
export function* traceSessionKeys(params: {
  suite: Suite;
  exporterSecret: Uint8Array;
  dh: Uint8Array;
  sessionId: Uint8Array;
  clientPublicKey: Uint8Array;
  serverPublicKey: Uint8Array;
}): Flow<SessionKeyTrace> {
  const { suite } = params;
  const { kdf, aead } = suite;
  const salt = yield* exportSecret(suite, params.exporterSecret, labels.session, kdf.nh);
  const prk = yield* extract(kdf.hash, salt, params.dh);
  const transcript = concat(params.sessionId, params.clientPublicKey, params.serverPublicKey);
  const derive = (label: Uint8Array, length: number) =>
    expand(kdf.hash, prk, concat(label, transcript), length);
  return {
    dh: params.dh,
    exportContext: new TextDecoder().decode(labels.session),
    salt,
    prk,
    transcript,
    c2sKey: yield* derive(labels.c2sKey, aead.nk),
    c2sIv: yield* derive(labels.c2sIv, aead.nn),
    s2cKey: yield* derive(labels.s2cKey, aead.nk),
    s2cIv: yield* derive(labels.s2cIv, aead.nn),
  };
}

/** One AEAD seal with a raw key: how the recorded keys and nonces are checked against the messages. */
export function* aeadSeal(
  suite: Suite,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Flow<Uint8Array> {
  const algorithm = suite.aead.algorithm;
  if (algorithm === undefined) throw new Error('export-only suite');
  const handle = yield* call((b) => b.importAeadKey(algorithm, key));
  return yield* call((b) => b.seal(handle, nonce, aad, plaintext));
}

/** Byte arrays as hex, recursively: the JSON form of a trace. */
export type Hexed<T> = T extends Uint8Array
  ? string
  : T extends readonly (infer U)[]
    ? Hexed<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Hexed<T[K]> }
      : T;

export function hexAll<T>(value: T): Hexed<T> {
  if (value instanceof Uint8Array) return toHex(value) as Hexed<T>;
  if (Array.isArray(value)) return value.map((item) => hexAll(item)) as Hexed<T>;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexAll(v)])) as Hexed<T>;
  }
  return value as Hexed<T>;
}

/** Throws when two byte strings differ: the generator's self-checks. */
export function assertSame(what: string, actual: Uint8Array, expected: Uint8Array): void {
  if (toHex(actual) !== toHex(expected)) throw new Error(`vector self-check failed: ${what}`);
}
