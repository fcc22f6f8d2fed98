/**
 * `@cipherlayer/profiles/rsa-session`: seed 001 on the server. Hybrid
 * RSA-2048-OAEP + AES-256-GCM in the seed's five phases, sessions with a
 * TTL in memory or Redis, a JWT carrying sessionId, deviceId and ipAddress
 * checked against the stored session on every request, and RSA keys from a
 * pool made in a worker thread. The client is `@cipherlayer/profiles/rsa-session/client`.
 */
import { defineProfile, type Logger, type Profile, type ProfileRequest } from '@cipherlayer/server';
import {
  booleanOption,
  checkKnown,
  configError,
  DEFAULT_MAX_BODY_BYTES,
  functionOption,
  headerOption,
  integerOption,
} from './lib/options.js';
import { RsaKeyPool, type RsaKeyPoolOptions } from './rsa-session/key-pool.js';
import { rsaSessionSpec } from './rsa-session/profile.js';
import { RsaSessions } from './rsa-session/sessions.js';
import type { RsaSessionSettings } from './rsa-session/settings.js';
import { SessionTokens } from './rsa-session/token.js';
import { guardStore } from './stores/guarded-store.js';
import { MemoryProfileStore } from './stores/memory-store.js';
import { isProfileStore, type ProfileStore } from './stores/profile-store.js';

export { type RsaKeyPair, RsaKeyPool, type RsaKeyPoolOptions } from './rsa-session/key-pool.js';
export { MemoryProfileStore, type MemoryProfileStoreOptions } from './stores/memory-store.js';
export type { ProfileStore } from './stores/profile-store.js';

export interface RsaSessionOptions<Request = unknown> {
  /** HS256 secret of the session JWTs: at least 32 bytes (a string is taken as UTF-8). From your secret manager. */
  jwtSecret: string | Uint8Array;
  /** Where sessions live (with their private keys). Default: this process's memory. `RedisProfileStore` for several instances. */
  store?: ProfileStore;
  /** The RSA key pool, or its options. Default: 16 keys, refilled in a worker thread. */
  pool?: RsaKeyPool | RsaKeyPoolOptions;
  /** Session lifetime. Default 30 minutes. */
  sessionTtlMs?: number;
  /** Where sessions are created (POST) and ended (DELETE). Default `/.well-known/cipherlayer/rsa-session`. */
  sessionPath?: string;
  /**
   * `compatible` (default): the seed's bytes, for clients written from it. `strict`: the safer setting, for
   * our client: method, target and status as AAD, each RSA-wrapped key accepted once, OAEP-SHA256 only, the
   * device header on every request.
   */
  mode?: 'compatible' | 'strict';
  /** The device id of a request. Default: the `X-Device-Id` header. At session creation the body's `deviceId` may give it. */
  deviceId?: (request: Request, view: ProfileRequest) => string | undefined;
  /** The client address a session is bound to. Default: the framework's (Express `req.ip`, Fastify `request.ip`); required on Web-standard adapters. */
  ipAddress?: (request: Request, view: ProfileRequest) => string | undefined;
  /** Bind sessions to the client address, as the seed does. Default true. */
  bindIp?: boolean;
  /** The header that carries `encryptedAesKey` on requests without a body (GET). Default `Encrypted-Aes-Key`. */
  keyHeader?: string;
  /** Largest plaintext, each way. Default 1 MiB. */
  maxBodyBytes?: number;
  /** A store call slower than this fails the request with 503. Default 2000 ms. */
  storeTimeoutMs?: number;
  /** The profile's name on a server. Default 'rsa-session'. */
  name?: string;
  /** pino-style logger: refusals with code and status, never a body, key or token. */
  logger?: Logger;
  /** Milliseconds since the epoch. For tests. */
  clock?: () => number;
}

const KNOWN = [
  'jwtSecret',
  'store',
  'pool',
  'sessionTtlMs',
  'sessionPath',
  'mode',
  'deviceId',
  'ipAddress',
  'bindIp',
  'keyHeader',
  'maxBodyBytes',
  'storeTimeoutMs',
  'name',
  'logger',
  'clock',
];

function readSecret(value: unknown): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32)
    throw configError('jwtSecret must be at least 32 bytes (a random secret from your secret manager)');
  return new Uint8Array(bytes);
}

/**
 * The rsa-session profile, for any adapter of `@cipherlayer/server`; its
 * session endpoint is served where the adapter serves well-known resources.
 *
 * ```ts
 * const rsa = rsaSession({ jwtSecret: process.env.JWT_SECRET });
 * app.use(cipherlayer(rsa, { policy: 'off' }));          // POST /.well-known/cipherlayer/rsa-session
 * app.post('/api/transfer', cipherlayer(rsa), handler);   // phases 2 to 5
 * ```
 */
export function rsaSession<Request = unknown>(options: RsaSessionOptions<Request>): Profile<Request> {
  checkKnown(options, KNOWN, 'rsaSession');
  const clock = functionOption(options.clock, 'clock') ?? Date.now;
  const store = options.store ?? new MemoryProfileStore({ clock });
  if (!isProfileStore(store)) throw configError('store must be a ProfileStore (get, set, add, delete)');
  const mode = options.mode ?? 'compatible';
  if (mode !== 'compatible' && mode !== 'strict') throw configError("mode must be 'compatible' or 'strict'");
  const strict = mode === 'strict';
  const sessionPath = options.sessionPath ?? '/.well-known/cipherlayer/rsa-session';
  if (typeof sessionPath !== 'string' || !/^\/[^?#]*$/.test(sessionPath))
    throw configError('sessionPath must be a path');
  const pool = options.pool instanceof RsaKeyPool ? options.pool : new RsaKeyPool(options.pool ?? {});
  const deviceHook = functionOption(options.deviceId, 'deviceId');
  const ipHook = functionOption(options.ipAddress, 'ipAddress');
  const timeoutMs = integerOption(options.storeTimeoutMs, 'storeTimeoutMs', 2000, 1, 60_000);
  const settings: RsaSessionSettings<Request> = {
    tokens: new SessionTokens(readSecret(options.jwtSecret), clock),
    sessions: new RsaSessions(guardStore(store, timeoutMs), clock),
    pool,
    ttlMs: integerOption(options.sessionTtlMs, 'sessionTtlMs', 30 * 60_000, 1000, 7 * 24 * 3_600_000),
    strict,
    oaepHashes: strict ? ['sha256'] : ['sha256', 'sha1'],
    deviceId: deviceHook ?? ((_request, view) => view.header('x-device-id')),
    ipAddress: ipHook ?? ((_request, view) => view.remoteAddress),
    bindIp: booleanOption(options.bindIp, 'bindIp', true),
    keyHeader: headerOption(options.keyHeader, 'keyHeader', 'encrypted-aes-key'),
    sessionPath,
    maxBodyBytes: integerOption(
      options.maxBodyBytes,
      'maxBodyBytes',
      DEFAULT_MAX_BODY_BYTES,
      1,
      64 * 1024 * 1024,
    ),
    clock,
    logger: options.logger,
  };
  return defineProfile(rsaSessionSpec(options.name ?? 'rsa-session', settings));
}
