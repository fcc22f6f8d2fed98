import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../src/lib/backend.js';
import { concat, fromHex, toHex } from '../src/lib/bytes.js';
import { backends } from './helpers/backends.js';
import {
  expectPartition,
  expectRejected,
  type InGroup,
  label,
  loadWycheproof,
} from './helpers/wycheproof.js';

interface AeadGroup {
  readonly keySize: number;
  readonly ivSize: number;
  readonly tagSize: number;
  readonly tests: readonly {
    readonly tcId: number;
    readonly comment: string;
    readonly flags: readonly string[];
    readonly result: 'valid' | 'invalid';
    readonly key: string;
    readonly iv: string;
    readonly aad: string;
    readonly msg: string;
    readonly ct: string;
    readonly tag: string;
  }[];
}
type Vector = InGroup<AeadGroup>;

const { tests } = loadWycheproof<AeadGroup>('aes_gcm_test.json');

// Our AEAD is AES-128/256-GCM with 96-bit nonces and 128-bit tags, as HPKE and cl1 use it.
const algorithmFor: Record<number, AeadAlgorithm> = { 128: 'AES-128-GCM', 256: 'AES-256-GCM' };
const supported = (v: Vector) =>
  v.group.keySize in algorithmFor && v.group.ivSize === 96 && v.group.tagSize === 128;

const categories = {
  valid: tests.filter((v) => supported(v) && v.result === 'valid'),
  invalid: tests.filter((v) => supported(v) && v.result === 'invalid'),
  // AES-192: neither of our algorithms takes a 24-byte key.
  unsupportedKey: tests.filter((v) => !(v.group.keySize in algorithmFor)),
  // Short, long and zero-length IVs (valid and invalid alike): our nonce is exactly 12 bytes.
  unsupportedIv: tests.filter((v) => v.group.keySize in algorithmFor && v.group.ivSize !== 96),
};

function algorithmOf(v: Vector): AeadAlgorithm {
  return algorithmFor[v.group.keySize] as AeadAlgorithm;
}

describe('Wycheproof AES-GCM (aes_gcm_test.json)', () => {
  it('sorts every vector into a non-empty category', () => {
    expectPartition(tests, categories);
    // The file has no tag size other than 128 bits; truncated tags are derived below instead.
    expect(new Set(tests.map((v) => v.group.tagSize))).toEqual(new Set([128]));
  });

  describe.each(backends)('%s backend', (_name, backend) => {
    it(`seals and opens the ${categories.valid.length} valid AES-128/256-GCM vectors`, async () => {
      let exercised = 0;
      for (const v of categories.valid) {
        const key = await backend.importAeadKey(algorithmOf(v), fromHex(v.key));
        const sealed = await backend.seal(key, fromHex(v.iv), fromHex(v.aad), fromHex(v.msg));
        expect(toHex(sealed), label(v)).toBe(v.ct + v.tag);
        const opened = await backend.open(key, fromHex(v.iv), fromHex(v.aad), fromHex(v.ct + v.tag));
        expect(toHex(opened), label(v)).toBe(v.msg);
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`rejects the ${categories.invalid.length} invalid vectors with ERR_DECRYPT`, async () => {
      let exercised = 0;
      for (const v of categories.invalid) {
        const key = await backend.importAeadKey(algorithmOf(v), fromHex(v.key));
        await expectRejected(
          () => backend.open(key, fromHex(v.iv), fromHex(v.aad), fromHex(v.ct + v.tag)),
          ['ERR_DECRYPT'],
          label(v),
        );
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`refuses the ${categories.unsupportedKey.length} AES-192 keys under both algorithms`, async () => {
      let exercised = 0;
      for (const v of categories.unsupportedKey) {
        for (const algorithm of ['AES-128-GCM', 'AES-256-GCM'] as const) {
          await expectRejected(
            () => backend.importAeadKey(algorithm, fromHex(v.key)),
            ['ERR_INVALID_KEY'],
            label(v),
          );
        }
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`refuses the ${categories.unsupportedIv.length} IVs that are not 96 bits, to seal and to open`, async () => {
      let exercised = 0;
      for (const v of categories.unsupportedIv) {
        const key = await backend.importAeadKey(algorithmOf(v), fromHex(v.key));
        const [iv, aad] = [fromHex(v.iv), fromHex(v.aad)];
        const codes = ['ERR_INVALID_KEY', 'ERR_DECRYPT'] as const;
        await expectRejected(() => backend.seal(key, iv, aad, fromHex(v.msg)), codes, `seal ${label(v)}`);
        await expectRejected(
          () => backend.open(key, iv, aad, fromHex(v.ct + v.tag)),
          codes,
          `open ${label(v)}`,
        );
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    // A GCM tag of t bits is the first t bits of the full tag, so a truncated tag from a valid
    // vector is a correct short-tag ciphertext: accepting it would mean accepting short tags.
    it('refuses the valid vectors with their tags truncated to 96, 64 and 32 bits', async () => {
      let exercised = 0;
      for (const v of categories.valid) {
        const key = await backend.importAeadKey(algorithmOf(v), fromHex(v.key));
        for (const bits of [96, 64, 32]) {
          const truncated = concat(fromHex(v.ct), fromHex(v.tag).subarray(0, bits / 8));
          await expectRejected(
            () => backend.open(key, fromHex(v.iv), fromHex(v.aad), truncated),
            ['ERR_DECRYPT'],
            `${bits}-bit tag, ${label(v)}`,
          );
        }
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });
  });
});
