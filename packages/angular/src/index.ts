/**
 * @cipherlayer/angular: HttpClient integration. The static-key profile
 * (seed 002): `provideStaticKeyEncryption` and `staticKeyInterceptor`,
 * with a bundled key (unsafe) or a per-session key unwrapped after login.
 * And `cl1Interceptor`, which hands selected requests to @cipherlayer/client.
 */
export { CipherlayerError, type ErrorCode, isCipherlayerError } from '@cipherlayer/core';
export type { WrappedSessionKey } from '@cipherlayer/profiles/static-key/browser';
export { type Cl1Fetch, type Cl1InterceptorOptions, cl1Interceptor } from './cl1/cl1-interceptor.js';
export type { RouteSelector } from './lib/route-selector.js';
export { staticKeyInterceptor } from './static-key/interceptor.js';
export { type AesKeySource, BundledKey, STATIC_KEY_SOURCE } from './static-key/key-source.js';
export {
  bundledKey,
  type KeyChoice,
  provideStaticKeyEncryption,
  type StaticKeyEncryptionOptions,
  sessionKey,
} from './static-key/providers.js';
export { ENCRYPTED_ROUTE } from './static-key/route-selection.js';
export { type SessionKeyOptions, SessionKeyStore } from './static-key/session-key-store.js';
export { StaticKeyCrypto } from './static-key/static-key-crypto.js';
