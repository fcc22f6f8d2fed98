/**
 * @cipherlayer/client: cl1 for browsers and Node, as a `fetch`. The axios
 * adapter is its own entry point, `@cipherlayer/client/axios`.
 */
export {
  CipherlayerError,
  type ErrorCode,
  isCipherlayerError,
  P256_SHA256_AES256GCM,
  type Suite,
  X25519_SHA256_AES256GCM,
} from '@cipherlayer/core';
export { type CipherlayerFetch, createClient } from './create-client.js';
export { CipherlayerServerError } from './errors.js';
export type { ClientMode, ClientOptions, FetchFunction, WireEncoding } from './options.js';
