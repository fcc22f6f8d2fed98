import {
  type CryptoBackend,
  type ReplayCache,
  ServerKeySet,
  type ServerProtocolOptions,
  type SessionOptions,
  type SessionStore,
  type Suite,
} from '@cipherlayer/core';
import { configError } from './errors.js';
import { guardReplayCache, guardSessionStore } from './guarded-stores.js';
import type { Logger } from './logger.js';

/** Loads the server's key set (a file, a KMS, a secret manager); `reloadKeys()` calls it again. */
export type KeyLoader = () => ServerKeySet | Promise<ServerKeySet>;

/**
 * Options of `createCipherlayer`. `Request` is the request object of the
 * framework the hooks receive: `express.Request`, `FastifyRequest`, or the
 * Fetch API `Request` (Hono, Next, Bun).
 */
export interface CipherlayerOptions<Request = unknown> {
  /** The server's keys, or a function that loads them (then `createCipherlayer` returns a promise). */
  keys: ServerKeySet | KeyLoader;
  /** Where sessions live. Default: in memory, this process only. */
  sessionStore?: SessionStore;
  /** Where stateless requests are remembered against replay. Default: in memory, this process only. */
  replayCache?: ReplayCache;
  /** Session lifetime, message budget and replay window. */
  session?: SessionOptions;
  /** Largest plaintext body, each way. Checked on Content-Length and while reading, before any decryption. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How far a stateless request's clock may be from ours. Default 30 000 ms. */
  maxSkewMs?: number;
  /** Suites accepted. Default: X25519 and P-256, both with HKDF-SHA256 and AES-256-GCM. */
  suites?: readonly Suite[];
  /** Mount the well-known resources under this path (`/api` serves `/api/.well-known/cipherlayer`). Default: none. */
  wellKnownPrefix?: string;
  /** `Cache-Control: public, max-age=…` of the discovery resources, in seconds. Default 300. */
  discoveryMaxAgeSeconds?: number;
  /** A store call that takes longer fails the request with 503. Default 2000 ms. */
  storeTimeoutMs?: number;
  /**
   * The request target the client sealed for, when a proxy rewrote it on the
   * way (`(req, target) => '/api' + target` behind a proxy that strips `/api`).
   * Default: the target exactly as this server received it.
   */
  bindingTarget?: (request: Request, target: string) => string;
  /**
   * Values a session is bound to (client IP, device id, user id...): stored
   * at the handshake and compared on every session request; a difference is
   * 401 ERR_SESSION_BINDING. Every attribute bound later with
   * `bindSession()` must be returned here too.
   */
  sessionAttributes?: (request: Request) => Readonly<Record<string, string>>;
  /** The app's logger (pino, Fastify's `app.log`, console). Default: silent. */
  logger?: Logger;
  /** Crypto backend. Default: node:crypto (synchronous, the fast one on servers). */
  backend?: CryptoBackend;
  /** Milliseconds since the epoch. For tests. */
  clock?: () => number;
}

const KNOWN: readonly string[] = [
  'keys',
  'sessionStore',
  'replayCache',
  'session',
  'maxBodyBytes',
  'maxSkewMs',
  'suites',
  'wellKnownPrefix',
  'discoveryMaxAgeSeconds',
  'storeTimeoutMs',
  'bindingTarget',
  'sessionAttributes',
  'logger',
  'backend',
  'clock',
];
const SESSION_KNOWN: readonly string[] = ['ttlMs', 'maxMessages', 'windowSize'];

function unknownKeys(value: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw configError(`${where}: unknown option "${key}"; known: ${known.join(', ')}`);
  }
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw configError(`${name} must be a function`);
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}

function nonNegativeInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw configError(`${name} must be a non-negative integer`);
  return value;
}

/**
 * Checks every option once, at creation, so the per-request path never
 * does. Each message names the option and what it must be.
 */
export function checkOptions<Request>(options: CipherlayerOptions<Request>): void {
  if (typeof options !== 'object' || options === null)
    throw configError('createCipherlayer needs an options object with at least "keys"');
  unknownKeys(options, KNOWN, 'createCipherlayer');
  const { keys } = options;
  if (!(keys instanceof ServerKeySet) && typeof keys !== 'function') {
    throw configError('keys must be a ServerKeySet or a function that returns (or resolves to) one');
  }
  if (
    options.sessionStore !== undefined &&
    !hasMethods(options.sessionStore, ['save', 'load', 'revoke', 'bind'])
  )
    throw configError('sessionStore must implement SessionStore (save, load, revoke, bind)');
  if (options.replayCache !== undefined && !hasMethods(options.replayCache, ['remember']))
    throw configError('replayCache must implement ReplayCache (remember)');
  if (options.session !== undefined) {
    if (typeof options.session !== 'object' || options.session === null)
      throw configError('session must be an object: { ttlMs, maxMessages, windowSize }');
    unknownKeys(options.session, SESSION_KNOWN, 'session');
  }
  const prefix = options.wellKnownPrefix;
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || (prefix !== '' && !/^\/[^?#]*[^/?#]$/.test(prefix)))
  )
    throw configError(
      'wellKnownPrefix must be a path such as "/api": starting with "/", not ending with "/"',
    );
  nonNegativeInteger(options.discoveryMaxAgeSeconds, 'discoveryMaxAgeSeconds', 300);
  if (nonNegativeInteger(options.storeTimeoutMs, 'storeTimeoutMs', 2000) === 0)
    throw configError('storeTimeoutMs must be at least 1');
  optionalFunction(options.bindingTarget, 'bindingTarget');
  optionalFunction(options.sessionAttributes, 'sessionAttributes');
  optionalFunction(options.clock, 'clock');
  if (options.backend !== undefined && !hasMethods(options.backend, ['seal', 'open', 'randomBytes']))
    throw configError(
      'backend must be a CryptoBackend (nodeBackend or webCryptoBackend from @cipherlayer/core)',
    );
}

export function discoveryMaxAge(options: CipherlayerOptions<never>): number {
  return nonNegativeInteger(options.discoveryMaxAgeSeconds, 'discoveryMaxAgeSeconds', 300);
}

function storeTimeout(options: CipherlayerOptions<never>): number {
  return nonNegativeInteger(options.storeTimeoutMs, 'storeTimeoutMs', 2000);
}

/** The core protocol's options from ours (stores wrapped so that they fail closed). */
export function protocolOptions(
  options: CipherlayerOptions<never>,
  keys: ServerKeySet,
  backend: CryptoBackend,
): ServerProtocolOptions {
  const timeoutMs = storeTimeout(options);
  const out: ServerProtocolOptions = { backend: options.backend ?? backend, keys };
  if (options.sessionStore !== undefined) out.sessions = guardSessionStore(options.sessionStore, timeoutMs);
  if (options.replayCache !== undefined) out.replayCache = guardReplayCache(options.replayCache, timeoutMs);
  if (options.session !== undefined) out.session = options.session;
  if (options.maxBodyBytes !== undefined) out.maxBodyBytes = options.maxBodyBytes;
  if (options.maxSkewMs !== undefined) out.maxSkewMs = options.maxSkewMs;
  if (options.suites !== undefined) out.suites = options.suites;
  if (options.clock !== undefined) out.clock = options.clock;
  return out;
}
