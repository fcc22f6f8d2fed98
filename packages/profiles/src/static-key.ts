/**
 * `@cipherlayer/profiles/static-key`: seed 002 on the server. Every JSON
 * answer of a route goes out as `{ data: base64(iv ‖ tag ‖ ciphertext) }`
 * (AES-256-GCM), request bodies are accepted in the same envelope, and the
 * key is either the seed's static key or a per-session key granted at login
 * (`StaticKeySessions`), so that no key ships in the browser bundle.
 * The browser side is `@cipherlayer/profiles/static-key/browser`.
 */
import { defineProfile, type Logger, type Profile, type ProfileRequest } from '@cipherlayer/server';
import { checkKnown, configError, DEFAULT_MAX_BODY_BYTES, integerOption } from './lib/options.js';
import { type KeySource, staticKeySpec } from './static-key/profile.js';
import { StaticKeySessions } from './static-key/sessions.js';
import { readStaticKeys, type StaticKeyInput } from './static-key/static-keys.js';

export {
  type GrantRequest,
  StaticKeySessions,
  type StaticKeySessionsOptions,
  type WrappedSessionKey,
} from './static-key/sessions.js';
export type { StaticKeyInput } from './static-key/static-keys.js';

type MaybePromise<T> = T | Promise<T>;

export interface StaticKeyOptions<Request = unknown> {
  /**
   * The seed as written: one AES-256 key shared with every browser (64 hex
   * digits, the seed's AES_KEY, or 32 bytes), or a rotation list (any opens;
   * an answer is sealed with the key its request came with, else the
   * first). Anyone with the bundle has it. Give `sessions` instead.
   */
  key?: StaticKeyInput | readonly StaticKeyInput[];
  /** The safer setting: per-session keys granted at login. Exclusive with `key`. */
  sessions?: StaticKeySessions;
  /**
   * With `sessions`: the id of the request's session key, from the app's own
   * session (its auth token's session id, its session cookie). Undefined is
   * 401 ERR_SESSION_UNKNOWN.
   */
  keyId?: (request: Request, view: ProfileRequest) => MaybePromise<string | undefined>;
  /** The profile's name on a server (two instances on one Fastify scope need two names). Default 'static-key'. */
  name?: string;
  /** Largest plaintext, each way. Default 1 MiB. */
  maxBodyBytes?: number;
  /** pino-style logger: refusals with code and status, never a body or key. */
  logger?: Logger;
}

const KNOWN = ['key', 'sessions', 'keyId', 'name', 'maxBodyBytes', 'logger'];

/**
 * The static-key profile, for any adapter of `@cipherlayer/server`:
 *
 * ```ts
 * const legacy = staticKey({ key: process.env.AES_KEY });           // the seed, as written
 * app.get('/api/payment-details', cipherlayer(legacy), handler);    // Express
 * ```
 */
export function staticKey<Request = unknown>(options: StaticKeyOptions<Request>): Profile<Request> {
  checkKnown(options, KNOWN, 'staticKey');
  let source: KeySource<Request>;
  if (options.sessions !== undefined) {
    if (options.key !== undefined)
      throw configError('staticKey: give key or sessions, not both (no downgrade path)');
    if (!(options.sessions instanceof StaticKeySessions))
      throw configError('sessions must be a StaticKeySessions');
    if (typeof options.keyId !== 'function')
      throw configError('staticKey: sessions need keyId(request) => the session key id');
    source = { kind: 'sessions', sessions: options.sessions, keyId: options.keyId };
  } else {
    if (options.key === undefined)
      throw configError('staticKey: give key (the seed) or sessions (per-session keys)');
    if (options.keyId !== undefined) throw configError('staticKey: keyId goes with sessions');
    source = { kind: 'static', keys: readStaticKeys(options.key) };
  }
  return defineProfile(
    staticKeySpec({
      name: options.name ?? 'static-key',
      source,
      maxBodyBytes: integerOption(
        options.maxBodyBytes,
        'maxBodyBytes',
        DEFAULT_MAX_BODY_BYTES,
        1,
        64 * 1024 * 1024,
      ),
      logger: options.logger,
    }),
  );
}
