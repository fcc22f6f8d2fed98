/**
 * @cipherlayer/tls/undici: a verifying (and, with a client certificate,
 * mutual-TLS) dispatcher for undici's fetch. A separate entry so that
 * `@cipherlayer/tls` never loads undici, an optional peer dependency.
 */

export { REJECT_UNAUTHORIZED_REFUSED } from './client/client-options.js';
export { createFetchDispatcher, type FetchDispatcherOptions } from './client/undici-dispatcher.js';
