import { generateKeyPairSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, importPKCS8, importSPKI } from 'jose';

/**
 * Seed 004: JWE compact serialisation, ECDH-ES key agreement (direct, no key
 * wrap) with A256GCM, the client encrypting to the server's EC public key.
 * The seed writes it with node-jose; this is the same scheme with `jose`
 * (v6), the library a user would pick today, with the private key imported
 * once at start-up rather than on every request as the seed's `decodeJWE`
 * does, which favours the baseline.
 */

export type JweCurve = 'P-521' | 'P-256';

const NODE_CURVE: Record<JweCurve, string> = { 'P-521': 'secp521r1', 'P-256': 'prime256v1' };
const ALG = 'ECDH-ES';
const ENC = 'A256GCM';

export interface JweKeyPair {
  readonly curve: JweCurve;
  /** PKCS#8 PEM, for the server. */
  readonly privateKey: string;
  /** SPKI PEM, for the client. */
  readonly publicKey: string;
}

/** As the seed's generateKeys: an EC key pair on the curve, exported as PEM. */
export function generateJweKeys(curve: JweCurve): JweKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve] });
  return {
    curve,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }) as string,
  };
}

export type JweDecryptKey = Awaited<ReturnType<typeof importPKCS8>>;

export function importJwePrivateKey(pem: string): Promise<JweDecryptKey> {
  return importPKCS8(pem, ALG);
}

const utf8 = new TextDecoder();

/** The server side: decrypts a compact JWE and parses its JSON payload; throws on anything invalid. */
export async function decodeJwe(token: string, key: JweDecryptKey): Promise<unknown> {
  const { plaintext } = await compactDecrypt(token, key, {
    keyManagementAlgorithms: [ALG],
    contentEncryptionAlgorithms: [ENC],
  });
  return JSON.parse(utf8.decode(plaintext));
}

/**
 * The client side: `count` distinct tokens of `payload` as JSON (each with
 * its own ephemeral key); of no plaintext at all when `payload` is undefined.
 */
export async function createJwes(publicKeyPem: string, payload: unknown, count: number): Promise<string[]> {
  const key = await importSPKI(publicKeyPem, ALG);
  const bytes = payload === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(payload));
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(await new CompactEncrypt(bytes).setProtectedHeader({ alg: ALG, enc: ENC }).encrypt(key));
  }
  return tokens;
}
