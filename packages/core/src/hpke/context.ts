import type { AeadKey, DhKeyPair } from '../lib/backend.js';
import { concat, counterNonce, utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';
import { labeledExpand, labeledExtract } from './kdf.js';
import { decap, encap } from './kem.js';
import type { Suite } from './suites.js';

const EMPTY = new Uint8Array(0);
const MODE_BASE = 0x00;
const LABEL_PSK_ID_HASH = utf8('psk_id_hash');
const LABEL_INFO_HASH = utf8('info_hash');
const LABEL_SECRET = utf8('secret');
const LABEL_KEY = utf8('key');
const LABEL_BASE_NONCE = utf8('base_nonce');
const LABEL_EXP = utf8('exp');
const LABEL_SEC = utf8('sec');

/** psk_id_hash depends only on the suite in base mode: computed once per suite. */
const pskIdHashes = new WeakMap<Suite, Uint8Array>();

/**
 * An HPKE encryption context (RFC 9180, section 5.2): one key, a base nonce,
 * a sequence number, and the exporter secret. Seal and a successful open
 * advance the sequence number; a context is used in one direction only.
 */
export class HpkeContext {
  #sequence = 0;

  constructor(
    readonly suite: Suite,
    private readonly key: AeadKey | undefined,
    private readonly baseNonce: Uint8Array,
    private readonly exporterSecret: Uint8Array,
  ) {}

  get sequence(): number {
    return this.#sequence;
  }

  private nextNonce(): Uint8Array {
    if (this.key === undefined)
      throw new CipherlayerError('ERR_CONFIG', { detail: 'export-only HPKE context' });
    if (this.#sequence >= Number.MAX_SAFE_INTEGER) throw new CipherlayerError('ERR_SESSION_LIMIT');
    return counterNonce(this.baseNonce, this.#sequence++);
  }

  *seal(aad: Uint8Array, plaintext: Uint8Array): Flow<Uint8Array> {
    const nonce = this.nextNonce();
    const key = this.key as AeadKey;
    return yield* call((b) => b.seal(key, nonce, aad, plaintext));
  }

  *open(aad: Uint8Array, ciphertext: Uint8Array): Flow<Uint8Array> {
    const sequence = this.#sequence;
    const nonce = this.nextNonce();
    const key = this.key as AeadKey;
    try {
      return yield* call((b) => b.open(key, nonce, aad, ciphertext));
    } catch (error) {
      // RFC 9180, section 5.2: a failed Open leaves the sequence number as it was, so a
      // forged message cannot desynchronize the context (unless another open moved it since).
      if (this.#sequence === sequence + 1) this.#sequence = sequence;
      throw error;
    }
  }

  /** Secret export (RFC 9180, section 5.3). */
  export(exporterContext: Uint8Array, length: number): Flow<Uint8Array> {
    const { kdf, id } = this.suite;
    return labeledExpand(kdf.hash, id, this.exporterSecret, LABEL_SEC, exporterContext, length);
  }
}

/** The key schedule of RFC 9180 section 5.1, base mode only. */
function* keySchedule(suite: Suite, sharedSecret: Uint8Array, info: Uint8Array): Flow<HpkeContext> {
  const { kdf, aead, id } = suite;
  let pskIdHash = pskIdHashes.get(suite);
  if (pskIdHash === undefined) {
    pskIdHash = yield* labeledExtract(kdf.hash, id, EMPTY, LABEL_PSK_ID_HASH, EMPTY);
    pskIdHashes.set(suite, pskIdHash);
  }
  const infoHash = yield* labeledExtract(kdf.hash, id, EMPTY, LABEL_INFO_HASH, info);
  const context = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = yield* labeledExtract(kdf.hash, id, sharedSecret, LABEL_SECRET, EMPTY);
  const exporterSecret = yield* labeledExpand(kdf.hash, id, secret, LABEL_EXP, context, kdf.nh);
  if (aead.algorithm === undefined) return new HpkeContext(suite, undefined, EMPTY, exporterSecret);
  const rawKey = yield* labeledExpand(kdf.hash, id, secret, LABEL_KEY, context, aead.nk);
  const baseNonce = yield* labeledExpand(kdf.hash, id, secret, LABEL_BASE_NONCE, context, aead.nn);
  const algorithm = aead.algorithm;
  const key = yield* call((b) => b.importAeadKey(algorithm, rawKey));
  return new HpkeContext(suite, key, baseNonce, exporterSecret);
}

export interface SenderSetup {
  readonly enc: Uint8Array;
  readonly context: HpkeContext;
}

/** SetupBaseS, with the caller's ephemeral key pair (random in use, fixed in test vectors). */
export function* setupBaseSender(
  suite: Suite,
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  ephemeral: DhKeyPair,
): Flow<SenderSetup> {
  const { sharedSecret, enc } = yield* encap(suite, recipientPublicKey, ephemeral);
  const context = yield* keySchedule(suite, sharedSecret, info);
  return { enc, context };
}

/** SetupBaseR. */
export function* setupBaseRecipient(
  suite: Suite,
  enc: Uint8Array,
  recipient: DhKeyPair,
  info: Uint8Array,
): Flow<HpkeContext> {
  const sharedSecret = yield* decap(suite, enc, recipient);
  return yield* keySchedule(suite, sharedSecret, info);
}
