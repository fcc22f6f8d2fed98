import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The independent peer: `mastercard-client-encryption` (Mastercard's
 * payload encryption for its APIs), set up as its README says, on a fresh
 * RSA-2048 key and a self-signed certificate (the library encrypts to a
 * certificate). Two of its modes:
 *
 * - field-level encryption: a fresh AES key per payload, wrapped with
 *   RSA-OAEP-SHA256, the JSON sealed with AES-CBC, all in node-forge (pure
 *   JavaScript), fields `{encryptedData, iv, encryptedKey, oaepHashingAlgorithm}`;
 * - JWE mode: compact JWE, RSA-OAEP-256 + A256GCM, on node:crypto.
 *
 * Both encrypt the whole document (`$` to `$`). The certificate is made
 * with node-forge, the library's own dependency, which it also uses to
 * read it; the JWE mode reads its keys from files, written to a temporary
 * directory removed by `dispose`.
 */

interface Forge {
  pki: {
    createCertificate(): ForgeCertificate;
    publicKeyFromPem(pem: string): unknown;
    privateKeyFromPem(pem: string): unknown;
    certificateToPem(certificate: ForgeCertificate): string;
  };
  md: { sha256: { create(): unknown } };
}

interface ForgeCertificate {
  publicKey: unknown;
  serialNumber: string;
  validity: { notBefore: Date; notAfter: Date };
  setSubject(attributes: readonly { name: string; value: string }[]): void;
  setIssuer(attributes: readonly { name: string; value: string }[]): void;
  sign(key: unknown, digest: unknown): void;
}

/** What both of the library's classes offer: `encrypt(endpoint, header, body)` and `decrypt(response)`. */
export interface PayloadEncryption {
  encrypt(
    endpoint: string,
    header: Record<string, string>,
    body: unknown,
  ): { header: unknown; body: unknown };
  decrypt(response: { request: { url: string }; body: unknown; header?: unknown }): unknown;
}

interface MastercardModule {
  FieldLevelEncryption: new (config: Record<string, unknown>) => PayloadEncryption;
  JweEncryption: new (config: Record<string, unknown>) => PayloadEncryption;
}

const require = createRequire(import.meta.url);
const mastercard = require('mastercard-client-encryption') as MastercardModule;
const forge = createRequire(require.resolve('mastercard-client-encryption'))('node-forge') as Forge;

export const MASTERCARD_ENDPOINT = '/api/echo';

const PATHS = [
  {
    path: MASTERCARD_ENDPOINT,
    toEncrypt: [{ element: '$', obj: '$' }],
    toDecrypt: [{ element: '$', obj: '$' }],
  },
];

function selfSignedCertificate(publicKeyPem: string, privateKeyPem: string): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  certificate.serialNumber = '01';
  certificate.validity.notBefore = new Date(Date.now() - 86_400_000);
  certificate.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const name = [{ name: 'commonName', value: 'cipherlayer bench' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

export interface MastercardPeer {
  readonly fieldLevel: PayloadEncryption;
  readonly jwe: PayloadEncryption;
  dispose(): void;
}

export function mastercardPeer(): MastercardPeer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const certificate = selfSignedCertificate(publicKey, privateKey);
  const fieldLevel = new mastercard.FieldLevelEncryption({
    paths: PATHS,
    ivFieldName: 'iv',
    encryptedKeyFieldName: 'encryptedKey',
    encryptedValueFieldName: 'encryptedData',
    oaepHashingAlgorithmFieldName: 'oaepHashingAlgorithm',
    dataEncoding: 'base64',
    encryptionCertificate: certificate,
    privateKey,
    oaepPaddingDigestAlgorithm: 'SHA-256',
    useCertificateContent: true,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cipherlayer-bench-mastercard-'));
  try {
    writeFileSync(join(dir, 'certificate.pem'), certificate);
    writeFileSync(join(dir, 'private-key.pem'), privateKey);
    const jwe = new mastercard.JweEncryption({
      paths: PATHS,
      mode: 'JWE',
      encryptedValueFieldName: 'encryptedData',
      encryptionCertificate: join(dir, 'certificate.pem'),
      privateKey: join(dir, 'private-key.pem'),
    });
    return { fieldLevel, jwe, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One payload each way through a mode: what the client encrypts, what the server decrypts. */
export function roundTrip(mode: PayloadEncryption, document: unknown): unknown {
  // The library writes into the body it is given: each call gets its own copy.
  const sealed = mode.encrypt(MASTERCARD_ENDPOINT, {}, structuredClone(document));
  return mode.decrypt({ request: { url: MASTERCARD_ENDPOINT }, body: sealed.body });
}
