/**
 * The key handles the Web Crypto backend hands out, inspected in the page:
 * each must be a CryptoKey that refuses every export.
 */
import { webCryptoBackend } from '../../src/backends/webcrypto.js';
import { importSessionKeys } from '../../src/cl1/session-keys.js';
import { generateKeyPair } from '../../src/hpke/kem.js';
import { P256_SHA256_AES256GCM, X25519_SHA256_AES256GCM } from '../../src/hpke/suites.js';
import { type Flow, runFlow } from '../../src/lib/flow.js';

const web = <T>(flow: Flow<T>): Promise<T> => Promise.resolve(runFlow(webCryptoBackend, flow));

export interface KeyHandleReport {
  name: string;
  isCryptoKey: boolean;
  extractable: boolean | null;
  algorithm: string | null;
  usages: string[];
  /** How each attempted export ended: the DOMException name, or "exported" if it (wrongly) worked. */
  exports: Record<string, string>;
}

async function inspectHandle(name: string, handle: unknown, formats: KeyFormat[]): Promise<KeyHandleReport> {
  if (!(handle instanceof CryptoKey)) {
    return { name, isCryptoKey: false, extractable: null, algorithm: null, usages: [], exports: {} };
  }
  const exports: Record<string, string> = {};
  for (const format of formats) {
    try {
      await crypto.subtle.exportKey(format, handle);
      exports[format] = 'exported';
    } catch (error) {
      exports[format] = error instanceof DOMException ? error.name : String(error);
    }
  }
  return {
    name,
    isCryptoKey: true,
    extractable: handle.extractable,
    algorithm: handle.algorithm.name,
    usages: [...handle.usages].sort(),
    exports,
  };
}

/**
 * The key handles the web backend hands out, inspected in the page: the
 * session keys through the same import the client and server sessions use,
 * and DH private keys through HPKE key generation. None may be exportable.
 */
export async function inspectKeyHandles(): Promise<KeyHandleReport[]> {
  const random = (n: number) => webCryptoBackend.randomBytes(n);
  const suite = X25519_SHA256_AES256GCM;
  const keys = await web(
    importSessionKeys({
      sessionId: random(16),
      suite,
      c2sKey: random(suite.aead.nk),
      c2sIv: random(suite.aead.nn),
      s2cKey: random(suite.aead.nk),
      s2cIv: random(suite.aead.nn),
    }),
  );
  const reports = [
    await inspectHandle('session c2s AEAD key', keys.c2s.key, ['raw', 'jwk']),
    await inspectHandle('session s2c AEAD key', keys.s2c.key, ['raw', 'jwk']),
  ];
  // DH private keys as the protocol makes them (ephemerals and server keys alike).
  for (const keySuite of [X25519_SHA256_AES256GCM, P256_SHA256_AES256GCM]) {
    const pair = await web(generateKeyPair(keySuite.kem, keySuite.kemSuiteId));
    reports.push(await inspectHandle(`${keySuite.kem.curve} private key`, pair.privateKey, ['pkcs8', 'jwk']));
  }
  return reports;
}
