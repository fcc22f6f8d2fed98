import type { AeadAlgorithm, DhCurve, HashName } from '../lib/backend.js';
import { curveSizes } from '../lib/backend.js';
import { concat, i2osp, utf8 } from '../lib/bytes.js';
import { CipherlayerError } from '../lib/errors.js';

/** HPKE algorithm identifiers (RFC 9180, section 7). */
export const KemId = {
  DhkemP256Sha256: 0x0010,
  DhkemP384Sha384: 0x0011,
  DhkemP521Sha512: 0x0012,
  DhkemX25519Sha256: 0x0020,
} as const;
export const KdfId = { HkdfSha256: 0x0001, HkdfSha384: 0x0002, HkdfSha512: 0x0003 } as const;
export const AeadId = { Aes128Gcm: 0x0001, Aes256Gcm: 0x0002, ExportOnly: 0xffff } as const;

export interface KemParams {
  readonly id: number;
  readonly curve: DhCurve;
  readonly hash: HashName;
  readonly nSecret: number;
  readonly nEnc: number;
  readonly nPk: number;
  readonly nSk: number;
  /** NIST curves: DeriveKeyPair bitmask and group order; absent for X25519. */
  readonly bitmask?: number;
  readonly order?: bigint;
}

export interface KdfParams {
  readonly id: number;
  readonly hash: HashName;
  readonly nh: number;
}

export interface AeadParams {
  readonly id: number;
  /** Absent for the export-only mode. */
  readonly algorithm?: AeadAlgorithm;
  readonly nk: number;
  readonly nn: number;
  readonly nt: number;
}

export interface Suite {
  readonly kem: KemParams;
  readonly kdf: KdfParams;
  readonly aead: AeadParams;
  /** suite_id of the key schedule: "HPKE" || kem_id || kdf_id || aead_id. */
  readonly id: Uint8Array;
  /** suite_id of the KEM: "KEM" || kem_id. */
  readonly kemSuiteId: Uint8Array;
}

function nistKem(
  id: number,
  curve: DhCurve,
  hash: HashName,
  nSecret: number,
  bitmask: number,
  order: bigint,
): KemParams {
  const sizes = curveSizes[curve];
  return {
    id,
    curve,
    hash,
    nSecret,
    nEnc: sizes.publicKey,
    nPk: sizes.publicKey,
    nSk: sizes.secret,
    bitmask,
    order,
  };
}

const kems: ReadonlyMap<number, KemParams> = new Map([
  [
    KemId.DhkemX25519Sha256,
    {
      id: KemId.DhkemX25519Sha256,
      curve: 'X25519',
      hash: 'SHA-256',
      nSecret: 32,
      nEnc: 32,
      nPk: 32,
      nSk: 32,
    },
  ],
  [
    KemId.DhkemP256Sha256,
    nistKem(
      KemId.DhkemP256Sha256,
      'P-256',
      'SHA-256',
      32,
      0xff,
      0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    ),
  ],
  [
    KemId.DhkemP384Sha384,
    nistKem(
      KemId.DhkemP384Sha384,
      'P-384',
      'SHA-384',
      48,
      0xff,
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    ),
  ],
  [
    KemId.DhkemP521Sha512,
    nistKem(
      KemId.DhkemP521Sha512,
      'P-521',
      'SHA-512',
      64,
      0x01,
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    ),
  ],
] as [number, KemParams][]);

const kdfs: ReadonlyMap<number, KdfParams> = new Map([
  [KdfId.HkdfSha256, { id: KdfId.HkdfSha256, hash: 'SHA-256', nh: 32 }],
  [KdfId.HkdfSha384, { id: KdfId.HkdfSha384, hash: 'SHA-384', nh: 48 }],
  [KdfId.HkdfSha512, { id: KdfId.HkdfSha512, hash: 'SHA-512', nh: 64 }],
] as [number, KdfParams][]);

const aeads: ReadonlyMap<number, AeadParams> = new Map([
  [AeadId.Aes128Gcm, { id: AeadId.Aes128Gcm, algorithm: 'AES-128-GCM', nk: 16, nn: 12, nt: 16 }],
  [AeadId.Aes256Gcm, { id: AeadId.Aes256Gcm, algorithm: 'AES-256-GCM', nk: 32, nn: 12, nt: 16 }],
  [AeadId.ExportOnly, { id: AeadId.ExportOnly, nk: 0, nn: 0, nt: 0 }],
] as [number, AeadParams][]);

const suiteCache = new Map<number, Suite>();

/**
 * Looks up a suite by its three ids. Unknown ids (ChaCha20-Poly1305 among
 * them: Web Crypto has no ChaCha) are ERR_SUITE_NOT_ALLOWED.
 */
export function hpkeSuite(kemId: number, kdfId: number, aeadId: number): Suite {
  const cacheKey = kemId * 0x100000000 + kdfId * 0x10000 + aeadId;
  const cached = suiteCache.get(cacheKey);
  if (cached) return cached;
  const kem = kems.get(kemId);
  const kdf = kdfs.get(kdfId);
  const aead = aeads.get(aeadId);
  if (!kem || !kdf || !aead) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  const suite: Suite = {
    kem,
    kdf,
    aead,
    id: concat(utf8('HPKE'), i2osp(kemId, 2), i2osp(kdfId, 2), i2osp(aeadId, 2)),
    kemSuiteId: concat(utf8('KEM'), i2osp(kemId, 2)),
  };
  suiteCache.set(cacheKey, suite);
  return suite;
}

export function kemParams(kemId: number): KemParams {
  const kem = kems.get(kemId);
  if (!kem) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  return kem;
}

/** The default cl1 suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. */
export const X25519_SHA256_AES256GCM = hpkeSuite(KemId.DhkemX25519Sha256, KdfId.HkdfSha256, AeadId.Aes256Gcm);
/** The second cl1 suite: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. */
export const P256_SHA256_AES256GCM = hpkeSuite(KemId.DhkemP256Sha256, KdfId.HkdfSha256, AeadId.Aes256Gcm);
