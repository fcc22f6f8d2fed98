import { type ErrorCode, isCipherlayerError } from '@cipherlayer/core';

/**
 * What the client does about a failed attempt (spec/http.md, "Errors made by
 * cipherlayer"). At most one retry per request, whatever the code; anything
 * not listed is reported to the caller as is.
 */
export type Recovery =
  /** ERR_STALE: adopt the (bounded) offset of the answer's Date header, then retry. */
  | 'correct-clock'
  /** ERR_UNKNOWN_KEY, ERR_KEY_EXPIRED: reload the discovery document, then retry. */
  | 'reload-keys'
  /** ERR_SESSION_UNKNOWN, _EXPIRED, _LIMIT: drop the session, handshake again, retry. */
  | 'new-session'
  /** ERR_SESSION_REVOKED, _BINDING: drop the session and report; the next request handshakes. */
  | 'drop-session'
  | 'report';

const recoveries: Partial<Record<ErrorCode, Recovery>> = {
  ERR_STALE: 'correct-clock',
  ERR_UNKNOWN_KEY: 'reload-keys',
  ERR_KEY_EXPIRED: 'reload-keys',
  ERR_SESSION_UNKNOWN: 'new-session',
  ERR_SESSION_EXPIRED: 'new-session',
  ERR_SESSION_LIMIT: 'new-session',
  ERR_SESSION_REVOKED: 'drop-session',
  ERR_SESSION_BINDING: 'drop-session',
};

export function recoveryFor(error: unknown): Recovery {
  return isCipherlayerError(error) ? (recoveries[error.code] ?? 'report') : 'report';
}
