import type { DhCurve } from '../lib/backend.js';
import { derPrefixes } from '../lib/backend.js';
import { concat, fromHex, toBase64 } from '../lib/bytes.js';
import { call, type Flow } from '../lib/flow.js';

/**
 * A pin is "sha256/" + base64(SHA-256(SubjectPublicKeyInfo DER)), the form
 * HPKP used, so it can be checked with openssl:
 *   openssl pkey -pubin -in key.pem -outform der | openssl dgst -sha256 -binary | base64
 */
export const PIN_PREFIX = 'sha256/';

export function subjectPublicKeyInfo(curve: DhCurve, publicKey: Uint8Array): Uint8Array {
  return concat(fromHex(derPrefixes[curve].spki), publicKey);
}

export function* publicKeyPin(curve: DhCurve, publicKey: Uint8Array): Flow<string> {
  const digest = yield* call((b) => b.digest('SHA-256', subjectPublicKeyInfo(curve, publicKey)));
  return PIN_PREFIX + toBase64(digest);
}
