import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromHex, toHex } from '../src/lib/bytes.js';
import { backends } from './helpers/backends.js';
import {
  expectCipherlayerError,
  expectPartition,
  expectRejected,
  label,
  loadWycheproof,
  settle,
} from './helpers/wycheproof.js';

interface Jwk {
  readonly kty?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly d?: string;
}
interface XdhTest<K> {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: 'valid' | 'acceptable' | 'invalid';
  readonly public: K;
  readonly private: K;
  readonly shared: string;
}
interface XdhGroup<K> {
  readonly curve: string;
  readonly tests: readonly XdhTest<K>[];
}

const raw = loadWycheproof<XdhGroup<string>>('x25519_test.json');
const jwk = loadWycheproof<XdhGroup<Jwk>>('x25519_jwk_test.json');

const isZero = (hex: string) => /^(00)+$/.test(hex);

const categories = {
  valid: raw.tests.filter((t) => t.result === 'valid'),
  // RFC 9180 section 7.1.4 (and RFC 7748 section 6.1): an all-zero X25519 result must abort.
  zeroShared: raw.tests.filter((t) => isZero(t.shared)),
  // Twist points, non-canonical and special public keys: RFC 7748 lets an implementation accept
  // them (then the result must be right) or reject them.
  acceptable: raw.tests.filter((t) => t.result === 'acceptable' && !isZero(t.shared)),
};

describe('Wycheproof X25519 (x25519_test.json)', () => {
  it('sorts every vector into a non-empty category', () => {
    expectPartition(raw.tests, categories);
    // "invalid" does not occur in the raw file: its rejections are the zero shared secrets, which
    // the file marks acceptable because RFC 7748 only recommends the check.
    expect(raw.tests.filter((t) => t.result === 'invalid')).toEqual([]);
    expect(categories.zeroShared.every((t) => t.flags.includes('ZeroSharedSecret'))).toBe(true);
    expect(raw.tests.filter((t) => t.flags.includes('ZeroSharedSecret'))).toHaveLength(
      categories.zeroShared.length,
    );
  });

  describe.each(backends)('%s backend', (_name, backend) => {
    it(`computes the shared secret of the ${categories.valid.length} valid vectors`, async () => {
      let exercised = 0;
      for (const t of categories.valid) {
        const { privateKey } = await backend.importDhPrivateKey('X25519', fromHex(t.private));
        const shared = await backend.dh('X25519', privateKey, fromHex(t.public));
        expect(toHex(shared), label(t)).toBe(t.shared);
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`rejects the ${categories.zeroShared.length} all-zero shared secrets with ERR_INVALID_KEY`, async () => {
      let exercised = 0;
      for (const t of categories.zeroShared) {
        const { privateKey } = await backend.importDhPrivateKey('X25519', fromHex(t.private));
        await expectRejected(
          () => backend.dh('X25519', privateKey, fromHex(t.public)),
          ['ERR_INVALID_KEY'],
          label(t),
        );
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`either rejects or computes correctly the ${categories.acceptable.length} acceptable vectors`, async () => {
      let exercised = 0;
      for (const t of categories.acceptable) {
        const { privateKey } = await backend.importDhPrivateKey('X25519', fromHex(t.private));
        const outcome = await settle(() => backend.dh('X25519', privateKey, fromHex(t.public)));
        if (outcome.ok) expect(toHex(outcome.value), label(t)).toBe(t.shared);
        else expectCipherlayerError(outcome.error, ['ERR_INVALID_KEY'], label(t));
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });
  });
});

/**
 * The JWK file repeats the raw vectors as JWKs (checked below, so running them
 * again through our raw-key API would add nothing) and adds two things: the
 * private key's public `x`, which checks the public key `importDhPrivateKey`
 * computes, and 13 invalid JWKs (wrong kty or crv, missing fields). Those are
 * JWK-parsing cases with no raw-key equivalent: a P-256 `x` is 32 bytes that
 * a raw X25519 API cannot tell from a u-coordinate. We only check that they
 * are all of that kind, i.e. that a strict conversion to a raw key refuses them.
 */
describe('Wycheproof X25519 JWK (x25519_jwk_test.json)', () => {
  const rawByKeys = new Map(raw.tests.map((t) => [`${t.public}/${t.private}`, t]));
  const decode = (value: string | undefined) => toHex(fromBase64Url(value ?? ''));
  const rawPublicKey = (key: Jwk): Uint8Array => {
    if (key.kty !== 'OKP' || key.crv !== 'X25519' || key.x === undefined)
      throw new Error('not an X25519 JWK');
    const x = fromBase64Url(key.x);
    if (x.length !== 32) throw new Error('not an X25519 JWK');
    return x;
  };
  const invalid = jwk.tests.filter((t) => t.result === 'invalid');
  const duplicates = jwk.tests.filter((t) => t.result !== 'invalid');

  it(`repeats the raw vectors in its ${duplicates.length} non-invalid vectors`, () => {
    expect(duplicates.length).toBeGreaterThan(0);
    for (const t of duplicates) {
      const twin = rawByKeys.get(`${decode(t.public.x)}/${decode(t.private.d)}`);
      expect(twin, label(t)).toBeDefined();
      expect({ shared: twin?.shared, result: twin?.result }, label(t)).toEqual({
        shared: t.shared,
        result: t.result,
      });
    }
  });

  it(`has ${invalid.length} invalid vectors, all JWKs with no raw X25519 form`, () => {
    expect(invalid.length).toBeGreaterThan(0);
    for (const t of invalid) expect(() => rawPublicKey(t.public), label(t)).toThrow();
  });

  describe.each(backends)('%s backend', (_name, backend) => {
    it(`derives the public key of all ${jwk.tests.length} private keys`, async () => {
      let exercised = 0;
      for (const t of jwk.tests) {
        const pair = await backend.importDhPrivateKey('X25519', fromBase64Url(t.private.d ?? ''));
        expect(toHex(pair.publicKey), label(t)).toBe(decode(t.private.x));
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });
  });
});
