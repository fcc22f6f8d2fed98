/**
 * `@cipherlayer/profiles/rsa-session/client`: seed 001's client, for
 * browsers and Node (Web Crypto only, no `node:*` import). A `fetch` that
 * creates the session on first use (phase 1), seals each request with a
 * fresh AES key wrapped to the session's RSA key (phase 2), and opens the
 * answer with that key (phase 5). GET and other bodiless requests carry the
 * wrapped key in the `Encrypted-Aes-Key` header, so their answers are
 * sealed too.
 */
import { CipherlayerError, toBase64 } from '@cipherlayer/core';
import { refusalOf } from '../lib/client-errors.js';
import {
  importPublicKey,
  openPayload,
  type Payload,
  randomKey,
  requestAad,
  responseAad,
  sealPayload,
  wrapKey,
} from './web-crypto.js';

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface RsaSessionClientOptions {
  /** The server's origin; relative URLs resolve against it. */
  baseUrl: string;
  /** This device's id: sent at session creation and, as `X-Device-Id`, with every request. */
  deviceId: string;
  /** Where sessions are created. Default `/.well-known/cipherlayer/rsa-session`. */
  sessionPath?: string;
  /** `strict` binds method, target and status (the server must be in strict mode too). Default `compatible`. */
  mode?: 'compatible' | 'strict';
  /** Default `Encrypted-Aes-Key`. */
  keyHeader?: string;
  /** Default `X-Device-Id`. */
  deviceHeader?: string;
  /** The transport. Default: the global fetch, looked up per call. */
  fetch?: Fetch;
}

interface Session {
  readonly token: string;
  readonly publicKey: CryptoKey;
}

export interface RsaSessionClient {
  /** A fetch: plaintext in, plaintext out; only seed 001 messages on the wire. */
  (input: string | URL, init?: RequestInit): Promise<Response>;
  /** Ends the session on the server (DELETE on the session path). */
  logout(): Promise<void>;
}

const encoder = new TextEncoder();
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const RESPONSE_FIELDS = ['authTag', 'encryptedData', 'iv'];
/** Session errors after which a new session is made and the request sent again, once. */
const RENEW = new Set(['ERR_SESSION_UNKNOWN', 'ERR_SESSION_EXPIRED']);

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value).sort();
  return (
    keys.join() === RESPONSE_FIELDS.join() &&
    keys.every((k) => typeof (value as Record<string, unknown>)[k] === 'string')
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function createRsaSessionClient(options: RsaSessionClientOptions): RsaSessionClient {
  const { baseUrl, deviceId } = options;
  if (typeof baseUrl !== 'string' || typeof deviceId !== 'string' || deviceId.length === 0)
    throw new CipherlayerError('ERR_CONFIG', { detail: 'createRsaSessionClient needs baseUrl and deviceId' });
  const sessionUrl = new URL(options.sessionPath ?? '/.well-known/cipherlayer/rsa-session', baseUrl);
  const strict = (options.mode ?? 'compatible') === 'strict';
  const keyHeader = options.keyHeader ?? 'Encrypted-Aes-Key';
  const deviceHeader = options.deviceHeader ?? 'X-Device-Id';
  const transport = (): Fetch => options.fetch ?? globalThis.fetch;
  let session: Promise<Session> | undefined;

  /** Phase 1: our AES key to the server, the token and public key back, sealed under it. */
  async function createSession(): Promise<Session> {
    const key = randomKey();
    const response = await transport()(sessionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [deviceHeader]: deviceId },
      body: JSON.stringify({ aesKey: toBase64(key), deviceId }),
    });
    const text = await response.text();
    const parsed = parseJson(text);
    if (!isPayload(parsed)) throw refusalOf(text) ?? new CipherlayerError('ERR_MALFORMED');
    const inner = JSON.parse(new TextDecoder().decode(await openPayload(key, parsed))) as {
      token?: unknown;
      publicKey?: unknown;
    };
    if (typeof inner.token !== 'string' || typeof inner.publicKey !== 'string')
      throw new CipherlayerError('ERR_MALFORMED');
    return { token: inner.token, publicKey: await importPublicKey(inner.publicKey) };
  }

  function current(): Promise<Session> {
    session ??= createSession().catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return session;
  }

  async function send(
    url: URL,
    method: string,
    headers: Headers,
    body: string,
    signal: AbortSignal | null | undefined,
  ) {
    const { token, publicKey } = await current();
    const key = randomKey();
    const target = url.pathname + url.search;
    const out = new Headers(headers);
    out.set('authorization', `Bearer ${token}`);
    out.set(deviceHeader, deviceId);
    const wrapped = await wrapKey(publicKey, key);
    let wireBody: string | undefined;
    if (body.length > 0) {
      const payload = await sealPayload(
        key,
        encoder.encode(body),
        strict ? requestAad(method, target) : undefined,
      );
      wireBody = JSON.stringify({ encryptedAesKey: wrapped, ...payload });
      out.set('content-type', 'application/json');
    } else {
      out.set(keyHeader, wrapped);
      out.delete('content-type');
    }
    const response = await transport()(url, {
      method,
      headers: out,
      ...(wireBody === undefined ? {} : { body: wireBody }),
      ...(signal ? { signal } : {}),
    });
    return { response, key, target };
  }

  async function open(
    response: Response,
    key: Uint8Array<ArrayBuffer>,
    method: string,
    target: string,
  ): Promise<Response> {
    const text = await response.text();
    const parsed = JSON_TYPE.test(response.headers.get('content-type') ?? '') ? parseJson(text) : undefined;
    if (!isPayload(parsed)) {
      const refusal = refusalOf(text);
      if (refusal !== undefined) throw refusal;
      if (text.length === 0)
        return new Response(null, { status: response.status, headers: response.headers });
      throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
    }
    const aad = strict ? responseAad(response.status, method, target) : undefined;
    const plaintext = await openPayload(key, parsed, aad);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(plaintext as Uint8Array<ArrayBuffer>, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  const client = async function rsaSessionFetch(
    input: string | URL,
    init: RequestInit = {},
  ): Promise<Response> {
    const url = new URL(input, baseUrl);
    const request = new Request(url, init);
    const method = request.method;
    const body = request.body === null ? '' : await request.text();
    if (body.length > 0 && !JSON_TYPE.test(request.headers.get('content-type') ?? ''))
      throw new CipherlayerError('ERR_CONFIG', { detail: 'rsa-session seals JSON bodies only' });
    for (let attempt = 0; ; attempt++) {
      const used = await current();
      const { response, key, target } = await send(url, method, request.headers, body, init.signal);
      try {
        return await open(response, key, method, target);
      } catch (error) {
        // A session the server no longer knows: make a new one and send again, once.
        if (attempt > 0 || !(error instanceof CipherlayerError) || !RENEW.has(error.code)) throw error;
        if (session !== undefined && (await session) === used) session = undefined;
      }
    }
  } as RsaSessionClient;

  client.logout = async () => {
    if (session === undefined) return;
    const { token } = await session;
    session = undefined;
    const response = await transport()(sessionUrl, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status >= 400)
      throw refusalOf(await response.text()) ?? new CipherlayerError('ERR_INTERNAL');
  };
  return client;
}
