import { describe, expect, it } from 'vitest';
import { curveSizes, type DhCurve, type DhKeyPair } from '../src/lib/backend.js';
import { concat, fromBase64Url, toHex } from '../src/lib/bytes.js';
import { backends } from './helpers/backends.js';
import { expectPartition, expectRejected, label, loadWycheproof } from './helpers/wycheproof.js';

interface EcJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
  readonly d?: string;
}
interface EcdhGroup {
  readonly curve: string;
  readonly tests: readonly {
    readonly tcId: number;
    readonly comment: string;
    readonly flags: readonly string[];
    readonly result: 'valid' | 'invalid';
    readonly public: EcJwk;
    readonly private: EcJwk;
    readonly shared: string;
  }[];
}

const files: readonly [string, DhCurve][] = [
  ['ecdh_secp256r1_webcrypto_test.json', 'P-256'],
  ['ecdh_secp521r1_webcrypto_test.json', 'P-521'],
];

function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length > length) throw new Error('value longer than the field');
  return concat(new Uint8Array(length - bytes.length), bytes);
}

/** The raw point 0x04 || x || y, without looking at `crv`: what a peer could send us as bytes. */
function uncompressedPoint(key: EcJwk): Uint8Array {
  return concat(Uint8Array.of(4), fromBase64Url(key.x), fromBase64Url(key.y));
}

/** The strict conversion an application would do: a JWK of another curve has no raw form for ours. */
function rawPublicKey(curve: DhCurve, key: EcJwk): Uint8Array {
  if (key.kty !== 'EC' || key.crv !== curve) throw new Error(`not a ${curve} JWK`);
  return uncompressedPoint(key);
}

describe.each(files)('Wycheproof ECDH (%s)', (name, curve) => {
  const { tests } = loadWycheproof<EcdhGroup>(name);
  const scalarLength = curveSizes[curve].secret;
  const categories = {
    valid: tests.filter((t) => t.result === 'valid'),
    // Points not on the curve, including (0,0).
    invalidPoint: tests.filter((t) => t.result === 'invalid' && t.public.crv === curve),
    // crv names another curve (secp256k1, P-384...): no raw point of ours to convert to.
    wrongCurve: tests.filter((t) => t.result === 'invalid' && t.public.crv !== curve),
  };
  const privateScalar = (key: EcJwk) => leftPad(fromBase64Url(key.d ?? ''), scalarLength);

  it('sorts every vector into a non-empty category', () => {
    expect(tests.every((t) => t.private.crv === curve)).toBe(true);
    expectPartition(tests, categories);
  });

  it(`refuses to convert the ${categories.wrongCurve.length} public keys of other curves`, () => {
    for (const t of categories.wrongCurve) expect(() => rawPublicKey(curve, t.public), label(t)).toThrow();
  });

  describe.each(backends)('%s backend', (_backendName, backend) => {
    // The files reuse a couple of dozen private keys across hundreds of public points:
    // import each once (P-521 imports recompute the public key, which is slow).
    const imported = new Map<string, Promise<DhKeyPair>>();
    const importPrivate = (key: EcJwk): Promise<DhKeyPair> => {
      const d = key.d ?? '';
      let pair = imported.get(d);
      if (pair === undefined) {
        pair = Promise.resolve(backend.importDhPrivateKey(curve, privateScalar(key)));
        imported.set(d, pair);
      }
      return pair;
    };

    it(`computes the shared secret of the ${categories.valid.length} valid vectors`, async () => {
      let exercised = 0;
      for (const t of categories.valid) {
        const pair = await importPrivate(t.private);
        // The private JWK carries its public point: a check of the public key we compute.
        expect(toHex(pair.publicKey), `public key, ${label(t)}`).toBe(toHex(uncompressedPoint(t.private)));
        const shared = await backend.dh(curve, pair.privateKey, rawPublicKey(curve, t.public));
        expect(toHex(shared), label(t)).toBe(t.shared);
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    it(`rejects the ${categories.invalidPoint.length} invalid points with ERR_INVALID_KEY`, async () => {
      let exercised = 0;
      for (const t of categories.invalidPoint) {
        const { privateKey } = await importPrivate(t.private);
        const point = rawPublicKey(curve, t.public);
        await expectRejected(() => backend.dh(curve, privateKey, point), ['ERR_INVALID_KEY'], label(t));
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });

    // Raw bytes carry no curve name, so the other curves' points are also sent to the backend
    // as if a peer had sent them: each must still fail the length, range or on-curve check
    // (P-256 tcId 347 satisfies the P-256 equation, but with a coordinate not reduced mod p).
    it(`rejects the ${categories.wrongCurve.length} other curves' points sent as raw bytes`, async () => {
      let exercised = 0;
      for (const t of categories.wrongCurve) {
        const { privateKey } = await importPrivate(t.private);
        const point = uncompressedPoint(t.public);
        await expectRejected(() => backend.dh(curve, privateKey, point), ['ERR_INVALID_KEY'], label(t));
        exercised++;
      }
      expect(exercised).toBeGreaterThan(0);
    });
  });
});
