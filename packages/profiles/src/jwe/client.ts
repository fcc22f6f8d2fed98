/**
 * `@cipherlayer/profiles/jwe/client`: seed 004's client on `jose`, for
 * browsers and Node (no `node:*` import). A `fetch` that sends JSON bodies
 * as compact JWEs to the server's public key (ECDH-ES + A256GCM by
 * default) and, unless told not to, asks for sealed answers and opens them.
 */
import { CipherlayerError } from '@cipherlayer/core';
import {
  CompactEncrypt,
  calculateJwkThumbprint,
  compactDecrypt,
  exportJWK,
  generateKeyPair,
  importJWK,
  importSPKI,
  type JWK,
} from 'jose';
import { refusalOf } from '../lib/client-errors.js';

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface JweClientOptions {
  /** The server's origin; relative URLs resolve against it. */
  baseUrl: string;
  /**
   * The server's public key: a JWK, or SPKI PEM (what seed 004's `generateKeys()` exports). Without it the
   * client fetches the key set at `jwksUrl`, and fetches it again when the server answers ERR_UNKNOWN_KEY.
   */
  serverKey?: JWK | string;
  /** Default: `/.well-known/cipherlayer/jwks.json` on the baseUrl. */
  jwksUrl?: string;
  /** Content encryption. Default A256GCM. */
  enc?: 'A256GCM' | 'A128CBC-HS256' | 'A256CBC-HS512' | 'A128GCM';
  /** Key management for EC and X25519 keys. Default ECDH-ES (RSA keys: RSA-OAEP-256). */
  alg?: 'ECDH-ES' | 'ECDH-ES+A256KW';
  /** Ask for sealed answers (not with RSA server keys). Default true. False: answers come in the clear, as seed 004's. */
  responses?: boolean;
  /** `strict` adds iat, jti, htm and htu to every request (the server must be in strict mode for them to count). */
  mode?: 'compatible' | 'strict';
  /** The header of a bodiless request's JWE. Default `Cipherlayer-JWE`. */
  header?: string;
  fetch?: Fetch;
  /** Milliseconds since the epoch. For tests. */
  clock?: () => number;
}

interface ServerKey {
  readonly key: CryptoKey | Uint8Array;
  readonly jwk: JWK;
  readonly kid: string;
  readonly alg: string;
}

const JOSE = /^application\/jose\b/i;
const encoder = new TextEncoder();

function sameKey(a: unknown, b: JWK): boolean {
  const x = a as JWK | undefined;
  return x !== undefined && x.crv === b.crv && x.x === b.x && x.y === b.y;
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_');
}

export function createJweClient(
  options: JweClientOptions,
): (input: string | URL, init?: RequestInit) => Promise<Response> {
  const { baseUrl } = options;
  if (typeof baseUrl !== 'string')
    throw new CipherlayerError('ERR_CONFIG', { detail: 'createJweClient needs baseUrl' });
  const enc = options.enc ?? 'A256GCM';
  const strict = options.mode === 'strict';
  const headerName = options.header ?? 'Cipherlayer-JWE';
  const clock = options.clock ?? Date.now;
  const jwksUrl = new URL(options.jwksUrl ?? '/.well-known/cipherlayer/jwks.json', baseUrl);
  const transport = (): Fetch => options.fetch ?? globalThis.fetch;
  let current: Promise<ServerKey> | undefined;

  async function importServerKey(value: JWK | string): Promise<ServerKey> {
    let jwk: JWK;
    if (typeof value === 'string') {
      const spki = await importSPKI(value, 'ECDH-ES', { extractable: true }).catch(() =>
        importSPKI(value, 'RSA-OAEP-256', { extractable: true }),
      );
      jwk = await exportJWK(spki);
    } else {
      jwk = value;
    }
    const { kty, crv, x, y, n, e } = jwk;
    const members = Object.fromEntries(
      Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
    ) as JWK;
    const alg = kty === 'RSA' ? 'RSA-OAEP-256' : (options.alg ?? 'ECDH-ES');
    const kid = typeof jwk.kid === 'string' ? jwk.kid : await calculateJwkThumbprint(members, 'sha256');
    return { key: await importJWK(members, alg), jwk: members, kid, alg };
  }

  async function fetchKey(): Promise<ServerKey> {
    if (options.serverKey !== undefined) return await importServerKey(options.serverKey);
    const response = await transport()(jwksUrl);
    const set = (await response.json()) as { keys?: JWK[] };
    const first = set.keys?.[0];
    if (first === undefined) throw new CipherlayerError('ERR_UNKNOWN_KEY');
    return await importServerKey(first);
  }

  function serverKey(): Promise<ServerKey> {
    current ??= fetchKey().catch((error: unknown) => {
      current = undefined;
      throw error;
    });
    return current;
  }

  async function seal(
    server: ServerKey,
    plaintext: Uint8Array,
    contentType: string,
    method: string,
    target: string,
  ) {
    const header: Record<string, unknown> = { alg: server.alg, enc, kid: server.kid };
    if (contentType !== '') header.cty = contentType;
    let answerKey: CryptoKey | undefined;
    const wantAnswers = (options.responses ?? true) && server.alg.startsWith('ECDH');
    if (wantAnswers) {
      const pair = await generateKeyPair('ECDH-ES', { crv: String(server.jwk.crv), extractable: true });
      header.rjwk = await exportJWK(pair.publicKey);
      answerKey = pair.privateKey;
    }
    const jti = strict ? randomId() : undefined;
    if (strict) Object.assign(header, { iat: Math.floor(clock() / 1000), jti, htm: method, htu: target });
    const token = await new CompactEncrypt(plaintext).setProtectedHeader(header as never).encrypt(server.key);
    return { token, answerKey, jti };
  }

  async function open(
    response: Response,
    server: ServerKey,
    answerKey: CryptoKey | undefined,
    jti: string | undefined,
  ) {
    const text = await response.text();
    if (!JOSE.test(response.headers.get('content-type') ?? '')) {
      const refusal = refusalOf(text);
      if (refusal !== undefined) throw refusal;
      if (answerKey !== undefined && text.length > 0) throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
      return new Response(text.length === 0 ? null : text, {
        status: response.status,
        headers: response.headers,
      });
    }
    if (answerKey === undefined) throw new CipherlayerError('ERR_MALFORMED');
    let opened: Awaited<ReturnType<typeof compactDecrypt>>;
    try {
      opened = await compactDecrypt(text.trim(), answerKey, {
        keyManagementAlgorithms: ['ECDH-ES'],
        contentEncryptionAlgorithms: ['A256GCM'],
        maxDecompressedLength: 0,
      });
    } catch (cause) {
      throw new CipherlayerError('ERR_DECRYPT', { cause });
    }
    const header = opened.protectedHeader as Record<string, unknown>;
    // Only the server's key (the one we sealed to) may have sealed it; the status and request are authenticated.
    if (!sameKey(header.epk, server.jwk) || header.status !== response.status || header.rid !== jti)
      throw new CipherlayerError('ERR_DECRYPT');
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    if (typeof header.cty === 'string') headers.set('content-type', header.cty);
    else headers.delete('content-type');
    return new Response(opened.plaintext as Uint8Array<ArrayBuffer>, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  return async function jweFetch(input, init = {}) {
    const url = new URL(input, baseUrl);
    const request = new Request(url, init);
    const { method } = request;
    const body = request.body === null ? new Uint8Array(0) : new Uint8Array(await request.arrayBuffer());
    const contentType = request.headers.get('content-type') ?? (body.length > 0 ? 'application/json' : '');
    for (let attempt = 0; ; attempt++) {
      const server = await serverKey();
      const headers = new Headers(request.headers);
      const wantAnswers = (options.responses ?? true) && server.alg.startsWith('ECDH');
      let sealed: Awaited<ReturnType<typeof seal>> | undefined;
      let wire: string | undefined;
      if (body.length > 0) {
        sealed = await seal(server, body, contentType, method, url.pathname + url.search);
        headers.set('content-type', 'application/jose');
        wire = sealed.token;
      } else if (wantAnswers || strict) {
        sealed = await seal(server, encoder.encode(''), '', method, url.pathname + url.search);
        headers.set(headerName, sealed.token);
      }
      const response = await transport()(url, {
        method,
        headers,
        ...(wire === undefined ? {} : { body: wire }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
      try {
        return await open(response, server, sealed?.answerKey, sealed?.jti);
      } catch (error) {
        // The server rotated its keys: fetch the key set again and send again, once.
        const retry =
          attempt === 0 &&
          options.serverKey === undefined &&
          error instanceof CipherlayerError &&
          error.code === 'ERR_UNKNOWN_KEY';
        if (!retry) throw error;
        if ((await current) === server) current = undefined;
      }
    }
  };
}
