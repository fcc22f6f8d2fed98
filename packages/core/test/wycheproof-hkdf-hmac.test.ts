import { describe, expect, it } from 'vitest';
import { expand, extract } from '../src/hpke/kdf.js';
import type { CryptoBackend } from '../src/lib/backend.js';
import { fromHex, toHex } from '../src/lib/bytes.js';
import { backends, run } from './helpers/backends.js';
import { expectPartition, expectRejected, label, loadWycheproof } from './helpers/wycheproof.js';

interface HkdfGroup {
  readonly keySize: number;
  readonly tests: readonly {
    readonly tcId: number;
    readonly comment: string;
    readonly flags: readonly string[];
    readonly result: 'valid' | 'invalid';
    readonly ikm: string;
    readonly salt: string;
    readonly info: string;
    readonly size: number;
    readonly okm: string;
  }[];
}
interface MacGroup {
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly {
    readonly tcId: number;
    readonly comment: string;
    readonly flags: readonly string[];
    readonly result: 'valid' | 'invalid';
    readonly key: string;
    readonly msg: string;
    readonly tag: string;
  }[];
}

const hkdf = loadWycheproof<HkdfGroup>('hkdf_sha256_test.json');
const hmac = loadWycheproof<MacGroup>('hmac_sha256_test.json');

const hkdfCategories = {
  valid: hkdf.tests.filter((t) => t.result === 'valid'),
  // Output sizes above 255 * HashLen (RFC 5869, section 2.3).
  tooLarge: hkdf.tests.filter((t) => t.result === 'invalid'),
};

// Truncated tags (RFC 2104, section 5) are the leftmost bits of the full HMAC.
const full = (t: (typeof hmac.tests)[number]) => t.group.tagSize === 256;
const hmacCategories = {
  'valid, 256-bit tags match': hmac.tests.filter((t) => t.result === 'valid' && full(t)),
  'valid, 128-bit tags match the prefix': hmac.tests.filter((t) => t.result === 'valid' && !full(t)),
  'invalid, 256-bit tags differ': hmac.tests.filter((t) => t.result === 'invalid' && full(t)),
  'invalid, 128-bit tags differ from the prefix': hmac.tests.filter(
    (t) => t.result === 'invalid' && !full(t),
  ),
};

function hkdfSha256(backend: CryptoBackend, t: (typeof hkdf.tests)[number]): Promise<Uint8Array> {
  return run(
    backend,
    (function* () {
      const prk = yield* extract('SHA-256', fromHex(t.salt), fromHex(t.ikm));
      return yield* expand('SHA-256', prk, fromHex(t.info), t.size);
    })(),
  );
}

/** The backend's HMAC cut to the group's tag size, as a verifier of truncated tags computes it. */
async function macPrefix(backend: CryptoBackend, t: (typeof hmac.tests)[number]): Promise<string> {
  const tag = await backend.hmac('SHA-256', fromHex(t.key), fromHex(t.msg));
  return toHex(tag.subarray(0, t.group.tagSize / 8));
}

describe('Wycheproof HKDF-SHA-256 (hkdf_sha256_test.json) through extract + expand', () => {
  it('sorts every vector into a non-empty category', () => {
    expectPartition(hkdf.tests, hkdfCategories);
    expect(hkdfCategories.tooLarge.every((t) => t.size > 255 * 32)).toBe(true);
  });

  describe.each(backends)('%s backend', (_name, backend) => {
    it(`derives the ${hkdfCategories.valid.length} valid outputs`, async () => {
      let exercised = 0;
      for (const t of hkdfCategories.valid) {
        expect(toHex(await hkdfSha256(backend, t)), label(t)).toBe(t.okm);
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`refuses the ${hkdfCategories.tooLarge.length} sizes above 255 * 32 with ERR_CONFIG`, async () => {
      let exercised = 0;
      for (const t of hkdfCategories.tooLarge) {
        await expectRejected(() => hkdfSha256(backend, t), ['ERR_CONFIG'], label(t));
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });
  });
});

describe('Wycheproof HMAC-SHA-256 (hmac_sha256_test.json) through backend.hmac', () => {
  it('sorts every vector into a non-empty category', () => {
    expectPartition(hmac.tests, hmacCategories);
    expect(new Set(hmac.tests.map((t) => t.group.tagSize))).toEqual(new Set([128, 256]));
  });

  describe.each(backends)('%s backend', (_name, backend) => {
    const rows = Object.entries(hmacCategories).map(([name, tests]) => [name, tests.length, tests] as const);
    it.each(rows)('%s: %i vectors', async (_category, _count, tests) => {
      let exercised = 0;
      for (const t of tests) {
        const computed = await macPrefix(backend, t);
        if (t.result === 'valid') expect(computed, label(t)).toBe(t.tag);
        else expect(computed, label(t)).not.toBe(t.tag);
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });
  });
});
