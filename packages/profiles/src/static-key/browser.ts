/**
 * `@cipherlayer/profiles/static-key/browser`: seed 002 in the browser (and
 * anywhere with Web Crypto). No `node:*` import.
 *
 * - `importStaticKey(hex)`, `openStaticEnvelope`, `sealStaticEnvelope`: the
 *   seed's CryptoService and `encrypt()`, byte for byte (`openBytes` and
 *   `sealBytes` for the `data` member without JSON);
 * - `deriveSessionKeyFromLogin(password, grant)`: the per-session key from
 *   the login answer (what `StaticKeySessions.grant` produced on the server);
 * - `createStaticKeyFetch({ key })`: a fetch that seals JSON bodies and opens answers.
 *
 * `@cipherlayer/angular` builds on this entry point (it imports nothing of
 * the server), so the envelope and the login-derived key have one
 * implementation.
 */
export { createStaticKeyFetch, type StaticKeyFetchOptions } from './fetch.js';
export {
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_MIN_ITERATIONS,
  deriveSessionKeyFromLogin,
  type IterationBounds,
} from './login-key.js';
export {
  importStaticKey,
  openBytes,
  openStaticEnvelope,
  sealBytes,
  sealStaticEnvelope,
} from './web-envelope.js';
export type { WrappedSessionKey } from './wrapped-session-key.js';
