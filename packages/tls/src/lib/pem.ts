import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { configError } from './options.js';

/** PEM text, as a string or the bytes of a file (read the file first: a path is not PEM). */
export type PemInput = string | Buffer;

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN (?:(?:EC|RSA|ENCRYPTED) )?PRIVATE KEY-----/;

function text(where: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw configError(`${where} must be PEM text (a string or a Buffer)`);
}

function hint(where: string, value: string): string {
  const trimmed = value.trim();
  return trimmed.length > 0 && !trimmed.includes('\n') && !trimmed.includes('-----BEGIN')
    ? `${where} looks like a file name, not PEM text: pass readFileSync(${JSON.stringify(trimmed)})`
    : `${where} is not PEM`;
}

/** The certificates of a PEM bundle (a chain, leaf first, or a list of CAs), each parsed. */
export function certificates(where: string, value: unknown): X509Certificate[] {
  const pem = text(where, value);
  const blocks = pem.match(CERTIFICATE);
  if (blocks === null) throw configError(`${hint(where, pem)}: expected -----BEGIN CERTIFICATE----- blocks`);
  return blocks.map((block, n) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw configError(`${where}: certificate ${n + 1} of the PEM cannot be parsed`, cause);
    }
  });
}

/** A list of CA bundles (or one), flattened to PEM strings after each certificate parsed. */
export function caBundle(where: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw configError(`${where} must name at least one CA certificate`);
  return items.flatMap((item, n) =>
    certificates(items.length > 1 ? `${where}[${n}]` : where, item).map((c) => c.toString()),
  );
}

export function privateKey(where: string, value: unknown, passphrase: string | undefined): KeyObject {
  const pem = text(where, value);
  if (!PRIVATE_KEY.test(pem))
    throw configError(`${hint(where, pem)}: expected -----BEGIN PRIVATE KEY----- (PKCS#8, or EC/RSA)`);
  try {
    return createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  } catch (cause) {
    throw configError(
      `${where} cannot be read${/ENCRYPTED/.test(pem) ? ' (encrypted: give the right passphrase)' : ''}`,
      cause,
    );
  }
}

/**
 * A certificate chain and its key, checked together: parseable, the key is
 * the leaf's, and the leaf is valid now. A server that starts with an expired
 * certificate fails every handshake; better to fail at start with the date.
 */
export function certificateWithKey(
  where: string,
  cert: unknown,
  key: unknown,
  passphrase: string | undefined,
  now: number,
): { cert: string; key: KeyObject; leaf: X509Certificate } {
  const chain = certificates(`${where} cert`, cert);
  const leaf = chain[0] as X509Certificate;
  const keyObject = privateKey(`${where} key`, key, passphrase);
  if (!leaf.checkPrivateKey(keyObject))
    throw configError(`${where} key is not the private key of the certificate (${leaf.subject})`);
  if (Date.parse(leaf.validTo) <= now)
    throw configError(`${where} cert expired on ${new Date(leaf.validTo).toISOString()}; renew it`);
  if (Date.parse(leaf.validFrom) > now)
    throw configError(`${where} cert is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  return { cert: chain.map((c) => c.toString()).join(''), key: keyObject, leaf };
}
