import { createHash } from 'node:crypto';
import { lengthPrefixed } from '../lib/length-prefixed.js';

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

export function rowDigest(id: string, plaintexts: readonly (Uint8Array | null)[]): bigint {
  const hash = createHash('sha256').update(lengthPrefixed([id]));
  const length = Buffer.alloc(4);
  for (const plaintext of plaintexts) {
    if (plaintext === null) {
      hash.update(Buffer.of(0));
      continue;
    }
    length.writeUInt32BE(plaintext.length);
    hash.update(Buffer.of(1)).update(length).update(plaintext);
  }
  return BigInt(`0x${hash.digest('hex')}`);
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
