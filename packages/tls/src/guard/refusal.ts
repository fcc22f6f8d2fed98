import { CipherlayerError } from '@cipherlayer/core';

/**
 * The guard's answer to a request that did not arrive over TLS: cipherlayer's
 * standard plaintext error (spec/http.md, "Errors made by cipherlayer"),
 * `403 {"error":{"code":"ERR_TLS_REQUIRED","message":"HTTPS required"}}`,
 * built once from core's registry. Never a redirect: see `transportGuard`.
 */
const refusal = new CipherlayerError('ERR_TLS_REQUIRED');

export const REFUSAL_CODE = refusal.code;
export const REFUSAL_STATUS = refusal.status;
export const REFUSAL_BODY = JSON.stringify(refusal.toJSON());
/** The same bytes, for frameworks that would add a charset to a string body's media type. */
export const REFUSAL_BYTES = Buffer.from(REFUSAL_BODY, 'utf8');

export const REFUSAL_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  'cache-control': 'no-store',
});
