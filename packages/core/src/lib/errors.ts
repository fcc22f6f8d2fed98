/**
 * One error class for the whole toolkit. Every error carries a stable `code`
 * from a closed set, an HTTP status, and a fixed message taken from the
 * registry below: messages never contain keys, tokens, plaintext, or which
 * cryptographic check failed. The original error, if any, is kept as `cause`
 * for the operator's debugger, never for the wire.
 */
export const errorRegistry = {
  ERR_MALFORMED: { status: 400, message: 'malformed message' },
  ERR_TOO_LARGE: { status: 413, message: 'message too large' },
  ERR_DECRYPT: { status: 400, message: 'decryption operation failed' },
  ERR_SUITE_NOT_ALLOWED: { status: 400, message: 'algorithm suite not allowed' },
  ERR_STALE: { status: 400, message: 'message timestamp outside the accepted window' },
  ERR_REPLAY: { status: 409, message: 'message replayed or outside the replay window' },
  ERR_UNKNOWN_KEY: { status: 422, message: 'unknown key id' },
  ERR_KEY_EXPIRED: { status: 422, message: 'key expired or not yet valid' },
  ERR_SESSION_UNKNOWN: { status: 401, message: 'unknown session' },
  ERR_SESSION_EXPIRED: { status: 401, message: 'session expired' },
  ERR_SESSION_REVOKED: { status: 401, message: 'session revoked' },
  ERR_SESSION_LIMIT: { status: 401, message: 'session message limit reached' },
  ERR_SESSION_BINDING: { status: 401, message: 'session binding mismatch' },
  ERR_PLAINTEXT_REJECTED: { status: 415, message: 'encrypted payload required' },
  ERR_TLS_REQUIRED: { status: 403, message: 'HTTPS required' },
  ERR_STORE_UNAVAILABLE: { status: 503, message: 'state store unavailable' },
  ERR_PIN_MISMATCH: { status: 502, message: 'server key does not match the pinned keys' },
  ERR_INVALID_KEY: { status: 500, message: 'invalid key material' },
  ERR_CONFIG: { status: 500, message: 'invalid configuration' },
  ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorRegistry;

export interface CipherlayerErrorOptions {
  cause?: unknown;
  /**
   * Extra words: for configuration errors, which option and what to change;
   * for key errors, the public id of the key concerned. Never key bytes,
   * plaintext, tokens, or anything taken from an incoming message.
   */
  detail?: string;
}

export class CipherlayerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, options: CipherlayerErrorOptions = {}) {
    const entry = errorRegistry[code];
    const message = options.detail ? `${entry.message}: ${options.detail}` : entry.message;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CipherlayerError';
    this.code = code;
    this.status = entry.status;
  }

  /** The body an HTTP adapter sends for this error: code and fixed message only. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: errorRegistry[this.code].message } };
  }
}

export function isCipherlayerError(value: unknown, code?: ErrorCode): value is CipherlayerError {
  return value instanceof CipherlayerError && (code === undefined || value.code === code);
}

/** A configuration mistake by the developer, found when options are checked. */
export function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

/**
 * Runs `fn` and turns any failure into the generic decryption error, so that
 * callers cannot learn which check (tag, point, padding, length) failed.
 */
export function decryptFailure(cause?: unknown): CipherlayerError {
  return new CipherlayerError('ERR_DECRYPT', { cause });
}
