import type { HashName } from '../lib/backend.js';
import { concat, i2osp, utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';
import { call, type Flow } from '../lib/flow.js';

const hashLength: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const HPKE_V1 = utf8('HPKE-v1');

/** HKDF-Extract (RFC 5869) on the backend's HMAC; an empty salt is Nh zero bytes. */
export function* extract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Flow<Uint8Array> {
  const key = salt.length > 0 ? salt : new Uint8Array(hashLength[hash]);
  return yield* call((b) => b.hmac(hash, key, ikm));
}

/** HKDF-Expand (RFC 5869). */
export function* expand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Flow<Uint8Array> {
  const nh = hashLength[hash];
  if (!Number.isInteger(length) || length < 0 || length > 255 * nh) {
    throw new CipherlayerError('ERR_CONFIG', { detail: 'HKDF output length out of range' });
  }
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++, offset += nh) {
    const block: Uint8Array = yield* call((b) => b.hmac(hash, prk, concat(previous, info, Uint8Array.of(i))));
    out.set(block.subarray(0, Math.min(nh, length - offset)), offset);
    previous = block;
  }
  return out;
}

/** LabeledExtract (RFC 9180, section 4). */
export function labeledExtract(
  hash: HashName,
  suiteId: Uint8Array,
  salt: Uint8Array,
  label: Uint8Array,
  ikm: Uint8Array,
): Flow<Uint8Array> {
  return extract(hash, salt, concat(HPKE_V1, suiteId, label, ikm));
}

/** LabeledExpand (RFC 9180, section 4). */
export function labeledExpand(
  hash: HashName,
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: Uint8Array,
  info: Uint8Array,
  length: number,
): Flow<Uint8Array> {
  return expand(hash, prk, concat(i2osp(length, 2), HPKE_V1, suiteId, label, info), length);
}
