import { CipherlayerError } from '@cipherlayer/core';
import type { JWK } from 'jose';
import type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from './algorithms.js';

/** The protected header of a request, as far as the profile reads it before any cryptography. */
export interface RequestHeader {
  readonly alg: KeyManagementAlgorithm;
  readonly enc: ContentEncryptionAlgorithm;
  readonly kid: string | undefined;
  /** The curve of the sender's ephemeral key (ECDH-ES), to pick a server key of that curve. */
  readonly crv: string | undefined;
  readonly cty: string | undefined;
  /** Where the answer is to be sealed: the client's public key (our client; not in the seed). */
  readonly rjwk: JWK | undefined;
  /** Strict mode's members: issued at (seconds), a unique id, and the method and target the request is for. */
  readonly iat: unknown;
  readonly jti: unknown;
  readonly htm: unknown;
  readonly htu: unknown;
}

// The ciphertext may be empty: a bodiless request's JWE (GET) seals no plaintext.
const COMPACT = /^[A-Za-z0-9_-]{1,8192}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const RESPONSE_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'EC',
  'P-384': 'EC',
  'P-521': 'EC',
  X25519: 'OKP',
};

function malformed(): CipherlayerError {
  return new CipherlayerError('ERR_MALFORMED');
}

/** A public ECDH key to answer to: EC P-256/384/521 or X25519, public members only. */
function responseKey(value: unknown): JWK | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  const jwk = value as Record<string, unknown>;
  const { kty, crv, x, y } = jwk;
  if (typeof crv !== 'string' || RESPONSE_CURVES[crv] !== kty || typeof x !== 'string') throw malformed();
  if (kty === 'EC' ? typeof y !== 'string' : y !== undefined) throw malformed();
  if ('d' in jwk) throw malformed();
  return kty === 'EC' ? { kty, crv, x, y: y as string } : { kty: 'OKP', crv, x };
}

/**
 * Reads a compact JWE's protected header and checks it against the
 * allowlists before any key is touched: five segments, a header of at most
 * 8 KiB, `alg` and `enc` allowed, no `zip` (decompression is refused, so
 * no size amplification), no `crit` extension.
 */
export function readRequestHeader(
  token: string,
  algorithms: readonly KeyManagementAlgorithm[],
  encryptions: readonly ContentEncryptionAlgorithm[],
): RequestHeader {
  if (!COMPACT.test(token)) throw malformed();
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw malformed();
  const { alg, enc, kid, epk, cty, zip, crit } = header;
  if (
    !algorithms.includes(alg as KeyManagementAlgorithm) ||
    !encryptions.includes(enc as ContentEncryptionAlgorithm)
  )
    throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  if (zip !== undefined || crit !== undefined) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  if (kid !== undefined && typeof kid !== 'string') throw malformed();
  if (cty !== undefined && (typeof cty !== 'string' || cty.length > 128)) throw malformed();
  const crv = (epk as { crv?: unknown } | undefined)?.crv;
  return {
    alg: alg as KeyManagementAlgorithm,
    enc: enc as ContentEncryptionAlgorithm,
    kid: kid as string | undefined,
    crv: typeof crv === 'string' ? crv : undefined,
    cty: cty as string | undefined,
    rjwk: responseKey(header.rjwk),
    iat: header.iat,
    jti: header.jti,
    htm: header.htm,
    htu: header.htu,
  };
}
