/**
 * `@cipherlayer/profiles/static-key/browser`: seed 002 in the browser (and
 * anywhere with Web Crypto). No `node:*` import.
 *
 * - `importStaticKey(hex)`, `openStaticEnvelope`, `sealStaticEnvelope`: the
 *   seed's CryptoService and `encrypt()`, byte for byte;
 * - `deriveSessionKeyFromLogin(password, grant)`: the per-session key from
 *   the login answer (what `StaticKeySessions.grant` produced on the server);
 * - `createStaticKeyFetch({ key })`: a fetch that seals JSON bodies and opens answers.
 */
export { createStaticKeyFetch, type StaticKeyFetchOptions } from './fetch.js';
export { deriveSessionKeyFromLogin, type IterationBounds } from './login-key.js';
export { importStaticKey, openStaticEnvelope, sealStaticEnvelope } from './web-envelope.js';
export type { WrappedSessionKey } from './wrapped-session-key.js';
