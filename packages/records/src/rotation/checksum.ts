import { createHash } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { MAX_STRING_BYTES } from '../lib/length-prefixed.js';

/**
 * An order-independent checksum of a table's plaintexts: the sum, modulo
 * 2^256, of SHA-256 over each row (its id, then each field's plaintext bytes
 * or a NULL marker). A sum, not a running hash, so that it can be built
 * batch by batch in any order, stored beside the job's cursor in the same
 * transaction, and resumed after a kill; a multiset hash in the AdHash
 * style, which finds lost, duplicated or altered rows (the failures of a
 * buggy or interrupted job), not a forgery made on purpose.
 */

const MODULUS_MASK = (1n << 256n) - 1n;

function tooLong(): CipherlayerError {
  return new CipherlayerError('ERR_TOO_LARGE', { detail: 'a row id is longer than 65535 bytes' });
}

/** SHA-256( lp(id) ‖ for each field: 0x00 if NULL, else 0x01 ‖ u32(len(P)) ‖ P ), fed to the hash in one piece. */
export function rowDigest(id: string, plaintexts: readonly (Uint8Array | null)[]): Buffer {
  const idLength = Buffer.byteLength(id, 'utf8');
  if (idLength > MAX_STRING_BYTES) throw tooLong();
  let length = 2 + idLength;
  for (const plaintext of plaintexts) length += plaintext === null ? 1 : 5 + plaintext.length;
  const input = Buffer.allocUnsafe(length);
  input.writeUInt16BE(idLength, 0);
  let at = 2 + input.write(id, 2, 'utf8');
  for (const plaintext of plaintexts) {
    if (plaintext === null) {
      input[at++] = 0;
      continue;
    }
    input[at] = 1;
    input.writeUInt32BE(plaintext.length, at + 1);
    input.set(plaintext, at + 5);
    at += 5 + plaintext.length;
  }
  return createHash('sha256').update(input).digest();
}

/**
 * A running sum of row digests modulo 2^256, in eight 32-bit limbs (least
 * significant first): one BigInt per batch instead of one per row.
 */
export class DigestSum {
  readonly #limbs = new Uint32Array(8);

  /** Adds a 32-byte big-endian digest. */
  add(digest: Uint8Array): void {
    const limbs = this.#limbs;
    const view = new DataView(digest.buffer, digest.byteOffset, 32);
    let carry = 0;
    for (let i = 0; i < 8; i++) {
      const sum = (limbs[i] as number) + view.getUint32(28 - 4 * i) + carry;
      limbs[i] = sum >>> 0;
      carry = sum > 0xffffffff ? 1 : 0;
    }
  }

  value(): bigint {
    let out = 0n;
    for (let i = 7; i >= 0; i--) out = (out << 32n) | BigInt(this.#limbs[i] as number);
    return out;
  }
}

export function addDigest(sum: bigint, digest: bigint): bigint {
  return (sum + digest) & MODULUS_MASK;
}

export function formatChecksum(sum: bigint): string {
  return sum.toString(16).padStart(64, '0');
}

export function parseChecksum(text: string): bigint {
  return BigInt(`0x${text === '' ? '0' : text}`);
}
