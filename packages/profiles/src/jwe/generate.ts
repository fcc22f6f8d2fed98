import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { configError } from '../lib/options.js';

export interface GeneratedJweKey {
  /** SPKI PEM: what clients encrypt to (seed 004's `createJWEToken(payload, publicKey)`). */
  readonly publicKey: string;
  /** PKCS#8 PEM: what the server decrypts with. A secret. */
  readonly privateKey: string;
  readonly publicJwk: JWK;
  /** A secret. */
  readonly privateJwk: JWK;
  /** The RFC 7638 thumbprint: the kid node-jose gives this key. */
  readonly kid: string;
}

export type JweKeyKind = 'P-256' | 'P-384' | 'P-521' | 'X25519' | 'RSA';

const NAMED_CURVES: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

/**
 * Seed 004's `generateKeys()`, as it is: secp521r1, exported as SPKI and
 * PKCS#8 PEM.
 */
export function generateSeedKeys(): { publicKey: string; privateKey: string } {
  const curve = 'secp521r1';
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return {
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
}

/** A server key of any accepted kind, in PEM and JWK, with its kid. Default P-521, as the seed. */
export async function generateJweKeyPair(kind: JweKeyKind = 'P-521'): Promise<GeneratedJweKey> {
  let pair: ReturnType<typeof generateKeyPairSync>;
  if (kind === 'X25519') pair = generateKeyPairSync('x25519');
  else if (kind === 'RSA') pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
  else if (NAMED_CURVES[kind] !== undefined)
    pair = generateKeyPairSync('ec', { namedCurve: NAMED_CURVES[kind] });
  else throw configError('kind must be P-256, P-384, P-521, X25519 or RSA');
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    publicJwk: { ...publicJwk, kid, use: 'enc' },
    privateJwk: { ...(pair.privateKey.export({ format: 'jwk' }) as JWK), kid },
    kid,
  };
}
