import { CipherlayerError } from '@cipherlayer/core';
import { refusalOf } from '../lib/client-errors.js';
import { openBytes, sealBytes } from './web-envelope.js';

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface StaticKeyFetchOptions {
  /** The key: a CryptoKey (from `importStaticKey` or `deriveSessionKeyFromLogin`), or a function giving the current one. */
  key: CryptoKey | (() => CryptoKey | Promise<CryptoKey>);
  /** The transport. Default: the global fetch, looked up per call. */
  fetch?: Fetch;
  /** Relative URLs resolve against it (needed in Node, where there is no document). */
  baseUrl?: string;
  /**
   * Seal JSON request bodies. Default true. `false` only against a server
   * written from the seed alone, which seals answers and reads plain bodies.
   */
  sealRequests?: boolean;
  /** Headers added to every request (the app's session cookie or token the server finds the key id by). */
  headers?: Record<string, string>;
}

const encoder = new TextEncoder();
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

function isEnvelope(value: unknown): value is { data: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { data?: unknown }).data === 'string'
  );
}

/**
 * A `fetch` that speaks the static-key profile, for browsers and Node: JSON
 * bodies go out as `{ data }`, sealed answers come back opened as ordinary
 * JSON Responses. Stricter than the seed's interceptor, which opens
 * whatever has a truthy `data`: an answer that is neither sealed nor empty
 * is refused (ERR_PLAINTEXT_REJECTED), and a refusal from the server
 * rejects with its CipherlayerError.
 */
export function createStaticKeyFetch(options: StaticKeyFetchOptions): Fetch {
  const { key, headers: extra = {} } = options;
  const sealRequests = options.sealRequests ?? true;
  const keyOf = async (): Promise<CryptoKey> => (typeof key === 'function' ? await key() : key);
  return async function staticKeyFetch(input, init = {}) {
    const transport = options.fetch ?? globalThis.fetch;
    const target =
      typeof input === 'string' && options.baseUrl !== undefined ? new URL(input, options.baseUrl) : input;
    const request = new Request(target, init);
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    headers.set('cipherlayer-profile', 'static-key');
    let body: string | undefined;
    const text = request.body === null ? '' : await request.text();
    if (text.length > 0) {
      if (sealRequests && !JSON_TYPE.test(headers.get('content-type') ?? ''))
        throw new CipherlayerError('ERR_CONFIG', { detail: 'static-key seals JSON bodies only' });
      body = sealRequests
        ? JSON.stringify({ data: await sealBytes(await keyOf(), encoder.encode(text)) })
        : text;
      headers.set('content-type', 'application/json');
    }
    const response = await transport(request.url, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const answer = await response.text();
    const type = response.headers.get('content-type') ?? '';
    let parsed: unknown;
    if (JSON_TYPE.test(type)) {
      try {
        parsed = JSON.parse(answer);
      } catch {
        parsed = undefined;
      }
    }
    if (!isEnvelope(parsed)) {
      const refusal = refusalOf(answer);
      if (refusal !== undefined) throw refusal;
      if (answer.length === 0)
        return new Response(null, { status: response.status, headers: response.headers });
      throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
    }
    const plaintext = await openBytes(await keyOf(), parsed.data);
    const out = new Headers(response.headers);
    out.set('content-type', 'application/json');
    out.delete('content-length');
    return new Response(plaintext as Uint8Array<ArrayBuffer>, {
      status: response.status,
      statusText: response.statusText,
      headers: out,
    });
  };
}
