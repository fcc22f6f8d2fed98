import {
  type CryptoBackend,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SUITES,
  type Limits,
  type Suite,
} from '@cipherlayer/core';
import { configError } from './errors.js';

export type ClientMode = 'stateless' | 'session';
export type WireEncoding = 'binary' | 'json';
export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /**
   * The server's origin, and the base that relative request URLs resolve
   * against (`new URL(input, baseUrl)`). Requests to any other origin are
   * refused, never sent in the clear.
   */
  baseUrl: string | URL;
  /** `stateless`: one HPKE exchange per request. `session`: one handshake, then symmetric-only requests. */
  mode: ClientMode;
  /** Wire encoding of cl1 messages in bodies: `application/cipherlayer` or `application/cipherlayer+json`. Default `binary`. */
  encoding?: WireEncoding;
  /**
   * A discovery document shipped with the app. Without `discoveryUrl` the
   * client then never fetches keys (and cannot recover from a key rotation).
   */
  keys?: unknown;
  /** Where the discovery document is. Default `/.well-known/cipherlayer` on the baseUrl origin, unless `keys` is given. */
  discoveryUrl?: string | URL;
  /** The handshake and logout endpoint. Default `/.well-known/cipherlayer/session` on the baseUrl origin. */
  sessionUrl?: string | URL;
  /** Accepted key pins (`sha256/…`). When set, no other key is ever used: ERR_PIN_MISMATCH, no fallback. */
  pins?: readonly string[];
  /** Suites the client seals to. Default: X25519 and P-256, both with HKDF-SHA256 and AES-256-GCM. */
  suites?: readonly Suite[];
  /** Default: node:crypto in Node, Web Crypto elsewhere. */
  backend?: CryptoBackend;
  /** The transport. Default: the global `fetch`, looked up at each call. */
  fetch?: FetchFunction;
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Largest plaintext body sent or accepted. Default 1 MiB; larger request bodies are refused before anything is sent. */
  maxBodyBytes?: number;
  /**
   * Largest clock offset the client accepts from an ERR_STALE answer's
   * `Date` header. Error responses are unauthenticated, so a larger offset
   * is refused rather than applied. Default 10 minutes; 0 disables correction.
   */
  maxClockCorrectionMs?: number;
}

export interface ResolvedOptions {
  readonly base: URL;
  readonly mode: ClientMode;
  readonly encoding: WireEncoding;
  readonly keys: unknown;
  readonly discoveryUrl: URL | undefined;
  readonly sessionUrl: URL;
  readonly pins: readonly string[] | undefined;
  readonly suites: readonly Suite[] | undefined;
  readonly backend: CryptoBackend | undefined;
  readonly fetch: FetchFunction;
  readonly clock: () => number;
  readonly limits: Limits;
  readonly maxClockCorrectionMs: number;
}

const KNOWN_OPTIONS = new Set([
  'baseUrl',
  'mode',
  'encoding',
  'keys',
  'discoveryUrl',
  'sessionUrl',
  'pins',
  'suites',
  'backend',
  'fetch',
  'clock',
  'maxBodyBytes',
  'maxClockCorrectionMs',
]);
const PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;
const DISCOVERY_PATH = '/.well-known/cipherlayer';
const SESSION_PATH = '/.well-known/cipherlayer/session';
const TEN_MINUTES = 10 * 60_000;

function httpUrl(value: unknown, base: URL | undefined, name: string): URL {
  let url: URL;
  try {
    url = new URL(String(value), base);
  } catch {
    throw configError(`${name} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError(`${name} must be http(s)`);
  if (url.username !== '' || url.password !== '') throw configError(`${name} must not contain credentials`);
  return url;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (!allowed.includes(value as T)) throw configError(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function count(value: unknown, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw configError(`${name} must be a non-negative integer`);
  return n;
}

function pinList(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0)
    throw configError('pins must be a non-empty array; omit it to disable pinning');
  for (const pin of value) {
    if (typeof pin !== 'string' || !PIN.test(pin))
      throw configError('each pin is "sha256/" followed by a base64 SHA-256 (44 characters)');
  }
  return [...value];
}

function suiteList(value: unknown): readonly Suite[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => DEFAULT_SUITES.includes(s)))
    throw configError('suites must be a non-empty list of cl1 suites exported by @cipherlayer/core');
  return [...value];
}

function fn<T>(value: unknown, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw configError(`${name} must be a function`);
  return value as T | undefined;
}

/** Checks every option once, when the client is created; a mistake names the option to change. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw configError('createClient needs an options object');
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw configError(`unknown option "${name}"`);
  }
  if (options.baseUrl === undefined) throw configError('baseUrl is required');
  const base = httpUrl(options.baseUrl, undefined, 'baseUrl');
  const keys = options.keys;
  if (keys !== undefined && (typeof keys !== 'object' || keys === null))
    throw configError('keys must be a discovery document (an object)');
  const discoveryUrl =
    options.discoveryUrl !== undefined
      ? httpUrl(options.discoveryUrl, base, 'discoveryUrl')
      : keys === undefined
        ? new URL(DISCOVERY_PATH, base)
        : undefined;
  const sessionUrl = httpUrl(options.sessionUrl ?? SESSION_PATH, base, 'sessionUrl');
  if (sessionUrl.origin !== base.origin) throw configError('sessionUrl must be on the baseUrl origin');
  const backend = options.backend;
  if (backend !== undefined && (typeof backend !== 'object' || typeof backend?.seal !== 'function'))
    throw configError('backend must be a CryptoBackend (nodeBackend or webCryptoBackend)');
  const clock = fn<() => number>(options.clock, 'clock') ?? Date.now;
  const userFetch = fn<FetchFunction>(options.fetch, 'fetch');
  if (userFetch === undefined && typeof globalThis.fetch !== 'function')
    throw configError('no global fetch here: pass the fetch option');
  return {
    base,
    mode: oneOf(options.mode, ['stateless', 'session'] as const, 'mode'),
    encoding: oneOf(options.encoding ?? 'binary', ['binary', 'json'] as const, 'encoding'),
    keys,
    discoveryUrl,
    sessionUrl,
    pins: pinList(options.pins),
    suites: suiteList(options.suites),
    backend,
    // Looked up per call, so a fetch installed later (or stubbed in a test) is the one used.
    fetch: userFetch ?? ((input, init) => globalThis.fetch(input, init)),
    clock,
    limits: { maxBodyBytes: count(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes') },
    maxClockCorrectionMs: count(options.maxClockCorrectionMs, TEN_MINUTES, 'maxClockCorrectionMs'),
  };
}
