import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addDigest, DigestSum, formatChecksum, parseChecksum, rowDigest } from '../src/rotation/checksum.js';

/**
 * The re-encryption job's checksum, as spec/records.md writes it:
 * Σ SHA-256( lp(id) ‖ for each field: 0x00 if NULL, else 0x01 ‖ u32(len(P)) ‖ P ) mod 2^256.
 * Checked against a direct transcription of that formula (BigInt sum), so a
 * job resumed across versions compares equal checksums.
 */

function referenceDigest(id: string, plaintexts: readonly (Uint8Array | null)[]): bigint {
  const idBytes = Buffer.from(id, 'utf8');
  const parts: Buffer[] = [Buffer.from([idBytes.length >> 8, idBytes.length & 0xff]), idBytes];
  for (const p of plaintexts) {
    if (p === null) parts.push(Buffer.of(0));
    else {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(p.length);
      parts.push(Buffer.of(1), length, Buffer.from(p));
    }
  }
  return BigInt(`0x${createHash('sha256').update(Buffer.concat(parts)).digest('hex')}`);
}

const MOD = 1n << 256n;

describe('job checksum', () => {
  it('hashes a row exactly as the spec formula does', () => {
    const cases: [string, (Uint8Array | null)[]][] = [
      ['1', [Buffer.from('\x01alice'), null, Buffer.of(0x02, 1, 2, 3, 4, 5, 6, 7, 8)]],
      ['ünïcødé-id', [null, null]],
      ['', []],
      ['42', [new Uint8Array(0), randomBytes(5000)]],
    ];
    for (const [id, plaintexts] of cases)
      expect(BigInt(`0x${rowDigest(id, plaintexts).toString('hex')}`)).toBe(referenceDigest(id, plaintexts));
    // NULL and an empty value differ.
    expect(rowDigest('1', [null]).equals(rowDigest('1', [new Uint8Array(0)]))).toBe(false);
  });

  it('sums digests modulo 2^256, wrapping like the BigInt sum', () => {
    const digests = Array.from({ length: 200 }, () => randomBytes(32));
    // Digests near the top so that the sum wraps several times.
    digests.push(Buffer.alloc(32, 0xff), Buffer.alloc(32, 0xff), Buffer.from([0x80, ...Buffer.alloc(31)]));
    const sum = new DigestSum();
    let reference = 0n;
    for (const d of digests) {
      sum.add(d);
      reference = (reference + BigInt(`0x${d.toString('hex')}`)) % MOD;
    }
    expect(sum.value()).toBe(reference);
    expect(new DigestSum().value()).toBe(0n);
  });

  it('adds batch sums to a stored checksum and round-trips its text form', () => {
    const stored = parseChecksum(formatChecksum(MOD - 5n));
    expect(stored).toBe(MOD - 5n);
    const batch = new DigestSum();
    batch.add(Buffer.from(`${'00'.repeat(31)}09`, 'hex'));
    expect(formatChecksum(addDigest(stored, batch.value()))).toBe(`${'0'.repeat(63)}4`);
    expect(parseChecksum('')).toBe(0n);
  });
});
