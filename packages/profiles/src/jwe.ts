/**
 * `@cipherlayer/profiles/jwe`: seed 004 on the server. Request bodies that
 * are compact JWEs to the server's public key (ECDH-ES on P-521 as the seed,
 * and P-256, P-384, X25519, ECDH-ES+A256KW, RSA-OAEP-256), decrypted with
 * `jose` under algorithm allowlists; every failure is 422 with a generic
 * body, as the seed answers. Answers sealed to the client when it asks.
 * The client is `@cipherlayer/profiles/jwe/client`.
 */
import { defineProfile, type Logger, type Profile } from '@cipherlayer/server';
import { contentEncryptionOption, keyManagementOption } from './jwe/algorithms.js';
import { JweKeySet } from './jwe/keys.js';
import { jweSpec } from './jwe/profile.js';
import type { JweSettings } from './jwe/settings.js';
import {
  checkKnown,
  configError,
  DEFAULT_MAX_BODY_BYTES,
  functionOption,
  headerOption,
  integerOption,
} from './lib/options.js';
import { guardStore } from './stores/guarded-store.js';
import { MemoryProfileStore } from './stores/memory-store.js';
import { isProfileStore, type ProfileStore } from './stores/profile-store.js';

export {
  CONTENT_ENCRYPTION,
  type ContentEncryptionAlgorithm,
  DEFAULT_CONTENT_ENCRYPTION,
  DEFAULT_KEY_MANAGEMENT,
  KEY_MANAGEMENT,
  type KeyManagementAlgorithm,
} from './jwe/algorithms.js';
export {
  type GeneratedJweKey,
  generateJweKeyPair,
  generateSeedKeys,
  type JweKeyKind,
} from './jwe/generate.js';
export { type JweKeyInput, JweKeySet, type JweServerKey } from './jwe/keys.js';
export { JOSE_MEDIA_TYPE } from './jwe/response.js';

export interface JweOptions {
  /** The server's keys (`await JweKeySet.from([{ privateKey: pem }])`), or a function returning the current set (rotation without restart). */
  keys: JweKeySet | (() => JweKeySet);
  /**
   * `compatible` (default): what seed 004's client sends. `strict`: the protected header must carry `iat`
   * (within `maxSkewMs`), a unique `jti` (remembered: replays are 409), `htm` and `htu` (the method and target
   * it is for), and a response key: every answer is sealed.
   */
  mode?: 'compatible' | 'strict';
  /** Accepted `alg`, a subset of the allowed ones. Default ECDH-ES, ECDH-ES+A256KW, RSA-OAEP-256. */
  keyManagementAlgorithms?: readonly string[];
  /** Accepted `enc`. Default A256GCM and A128CBC-HS256 (node-jose's default). */
  contentEncryptionAlgorithms?: readonly string[];
  /**
   * Besides `Content-Type: application/jose` bodies, accept `application/json` bodies `{ [jsonField]: "<JWE>" }`.
   * Default 'jwe'; false to accept `application/jose` only.
   */
  jsonField?: string | false;
  /** The header of a JWE on a bodiless request (GET). Default `Cipherlayer-JWE`. */
  header?: string;
  /** Where the public keys are served as a JWK Set; false for nowhere. Default `/.well-known/cipherlayer/jwks.json`. */
  jwksPath?: string | false;
  /** Largest plaintext, each way. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Strict mode: accepted clock difference. Default 30 000 ms. */
  maxSkewMs?: number;
  /** Strict mode: where `jti`s are remembered. Default this process's memory; `RedisProfileStore` for several instances. */
  store?: ProfileStore;
  /** A store call slower than this fails the request with 503. Default 2000 ms. */
  storeTimeoutMs?: number;
  /** The profile's name on a server. Default 'jwe'. */
  name?: string;
  /** pino-style logger: refusals with code and status, never a token, key or body. */
  logger?: Logger;
  /** Milliseconds since the epoch. For tests. */
  clock?: () => number;
}

const KNOWN = [
  'keys',
  'mode',
  'keyManagementAlgorithms',
  'contentEncryptionAlgorithms',
  'jsonField',
  'header',
  'jwksPath',
  'maxBodyBytes',
  'maxSkewMs',
  'store',
  'storeTimeoutMs',
  'name',
  'logger',
  'clock',
];

/**
 * The jwe profile, for any adapter of `@cipherlayer/server`:
 *
 * ```ts
 * const keys = await JweKeySet.from([{ privateKey: process.env.JWE_PRIVATE_KEY }]); // PKCS#8 PEM, as the seed exports
 * const seed004 = jwe({ keys });
 * app.post('/api/score', cipherlayer(seed004), handler);   // req.body: the decrypted payload
 * ```
 */
export function jwe<Request = unknown>(options: JweOptions): Profile<Request> {
  checkKnown(options, KNOWN, 'jwe');
  const { keys } = options;
  if (!(keys instanceof JweKeySet) && typeof keys !== 'function')
    throw configError('keys must be a JweKeySet (await JweKeySet.from([...])) or a function returning one');
  const mode = options.mode ?? 'compatible';
  if (mode !== 'compatible' && mode !== 'strict') throw configError("mode must be 'compatible' or 'strict'");
  const clock = functionOption(options.clock, 'clock') ?? Date.now;
  const store = options.store ?? new MemoryProfileStore({ clock });
  if (!isProfileStore(store)) throw configError('store must be a ProfileStore (get, set, add, delete)');
  const jsonField = options.jsonField === undefined ? 'jwe' : options.jsonField;
  if (jsonField !== false && (typeof jsonField !== 'string' || !/^[A-Za-z_][\w-]{0,63}$/.test(jsonField)))
    throw configError('jsonField must be a member name, or false');
  const jwksPath = options.jwksPath === undefined ? '/.well-known/cipherlayer/jwks.json' : options.jwksPath;
  if (jwksPath !== false && (typeof jwksPath !== 'string' || !/^\/[^?#]*$/.test(jwksPath)))
    throw configError('jwksPath must be a path, or false');
  const settings: JweSettings = {
    keys: keys instanceof JweKeySet ? () => keys : keys,
    algorithms: keyManagementOption(options.keyManagementAlgorithms),
    encryptions: contentEncryptionOption(options.contentEncryptionAlgorithms),
    strict: mode === 'strict',
    jsonField: jsonField === false ? undefined : jsonField,
    header: headerOption(options.header, 'header', 'cipherlayer-jwe'),
    jwksPath: jwksPath === false ? undefined : jwksPath,
    maxBodyBytes: integerOption(
      options.maxBodyBytes,
      'maxBodyBytes',
      DEFAULT_MAX_BODY_BYTES,
      1,
      64 * 1024 * 1024,
    ),
    maxSkewMs: integerOption(options.maxSkewMs, 'maxSkewMs', 30_000, 1000, 3_600_000),
    store: guardStore(store, integerOption(options.storeTimeoutMs, 'storeTimeoutMs', 2000, 1, 60_000)),
    clock,
    logger: options.logger,
  };
  return defineProfile(jweSpec<Request>(options.name ?? 'jwe', settings));
}
