/**
 * The HTTP header rules around a sealed exchange (spec/http.md,
 * "Responses"), shared by every adapter.
 */

/** A sealed response is bound to one request: useless to any cache. */
export const SEALED_CACHE_CONTROL = 'no-store';
export const ERROR_CACHE_CONTROL = 'no-store';
const VARY = 'Cipherlayer, Content-Type';

/** Appends cipherlayer's Vary members to what the app set. */
export function withVary(existing: string | number | readonly string[] | undefined | null): string {
  return withVaryOf(existing, VARY);
}

/** Appends `members` (a profile's request headers) to the Vary the app set. */
export function withVaryOf(
  existing: string | number | readonly string[] | undefined | null,
  members: string,
): string {
  if (existing === undefined || existing === null || existing === '') return members;
  const value = Array.isArray(existing) ? existing.join(', ') : String(existing);
  return value.trim() === '*' || members === '' ? value : `${value}, ${members}`;
}

/**
 * A status that forbids a body (204, 205, 304) cannot carry a sealed
 * message, so it is sent, and authenticated, as 200 with the sealed empty
 * body (spec/http.md, "Responses").
 */
export function sealedStatus(status: number): number {
  return status === 204 || status === 205 || status === 304 ? 200 : status;
}

/**
 * Conditional and range request headers are dropped from an opened request:
 * request headers are not authenticated, so an on-path attacker could add
 * them and learn from a 304, 412 or 206 whether the plaintext matches a
 * guess. Sealed responses likewise lose ETag (a hash of the plaintext).
 */
export const UNSAFE_REQUEST_HEADERS: readonly string[] = [
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
];
