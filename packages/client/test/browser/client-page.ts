/**
 * Runs in Chromium: the page uses @cipherlayer/client against the server
 * that served it (same origin). It records the keys Web Crypto is asked to
 * encrypt and decrypt with, so the test can inspect the session keys.
 */
import { type ClientMode, createClient, type WireEncoding } from '../../src/index.js';

export const PAGE_GLOBAL = 'cipherlayerClientPage';

const recorded = new Set<CryptoKey>();
let recording = false;
let webCryptoCalls = 0;
const subtle = crypto.subtle;
for (const method of ['encrypt', 'decrypt'] as const) {
  const original = subtle[method].bind(subtle);
  subtle[method] = ((algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) => {
    webCryptoCalls++;
    if (recording) recorded.add(key);
    return original(algorithm, key, data);
  }) as SubtleCrypto['encrypt'];
}

export interface KeyReport {
  isCryptoKey: boolean;
  extractable: boolean;
  algorithm: string;
  usages: string[];
  /** How each export attempt ended: the DOMException name, or "exported". */
  exports: Record<string, string>;
}

async function inspect(key: CryptoKey): Promise<KeyReport> {
  const exports: Record<string, string> = {};
  for (const format of ['raw', 'jwk'] as const) {
    try {
      await crypto.subtle.exportKey(format, key);
      exports[format] = 'exported';
    } catch (error) {
      exports[format] = error instanceof DOMException ? error.name : String(error);
    }
  }
  return {
    isCryptoKey: key instanceof CryptoKey,
    extractable: key.extractable,
    algorithm: key.algorithm.name,
    usages: [...key.usages].sort(),
    exports,
  };
}

export interface PageResult {
  transfer: { status: number; contentType: string | null; body: unknown };
  balance: { status: number; contentType: string | null; body: unknown };
  second: { status: number; body: unknown };
  webCryptoCalls: number;
  /** Keys used by the requests after the first one (in session mode: the session's two AEAD keys). */
  keys: KeyReport[];
}

const read = async (response: Response) => ({
  status: response.status,
  contentType: response.headers.get('content-type'),
  body: await response.json(),
});

async function run(
  mode: ClientMode,
  encoding: WireEncoding,
  transfer: Record<string, string>,
): Promise<PageResult> {
  const client = createClient({ baseUrl: location.origin, mode, encoding });
  const post = () =>
    client('/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(transfer),
    });
  const first = await read(await post());
  recorded.clear();
  recording = true;
  const balance = await read(await client('/api/balance'));
  const second = await read(await post());
  recording = false;
  const keys = await Promise.all([...recorded].map(inspect));
  await client.logout();
  return {
    transfer: first,
    balance,
    second: { status: second.status, body: second.body },
    webCryptoCalls,
    keys,
  };
}

/** A sealed redirect: the browser keeps it opaque, so the client must refuse it rather than follow it. */
async function redirect(): Promise<{ code: unknown; httpStatus: unknown; name: unknown }> {
  const client = createClient({ baseUrl: location.origin, mode: 'stateless' });
  try {
    await client('/api/redirect', { method: 'POST', body: 'x' });
    return { code: 'resolved', httpStatus: undefined, name: undefined };
  } catch (error) {
    const { code, httpStatus, name } = error as Record<string, unknown>;
    return { code, httpStatus, name };
  }
}

(globalThis as Record<string, unknown>)[PAGE_GLOBAL] = { run, redirect };
