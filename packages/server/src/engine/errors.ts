import { CipherlayerError, type ErrorCode, errorRegistry } from '@cipherlayer/core';

export type { ErrorCode };

/**
 * The plaintext answer to a request cipherlayer refuses (spec/http.md,
 * "Errors made by cipherlayer"): status and body come from the registry
 * only, so nothing in them depends on the request, a key or which check
 * failed. The bodies are built once, here.
 */
export interface ErrorReply {
  readonly code: ErrorCode;
  readonly status: number;
  /** `{"error":{"code":…,"message":…}}` */
  readonly body: string;
}

export const ERROR_CONTENT_TYPE = 'application/json';

const replies = new Map<ErrorCode, ErrorReply>();
for (const code of Object.keys(errorRegistry) as ErrorCode[]) {
  const error = new CipherlayerError(code);
  replies.set(code, Object.freeze({ code, status: error.status, body: JSON.stringify(error.toJSON()) }));
}

export function errorReply(code: ErrorCode): ErrorReply {
  return replies.get(code) as ErrorReply;
}

/** Anything that is not already a CipherlayerError is a bug or an app hook failing: ERR_INTERNAL. */
export function asCipherlayerError(error: unknown): CipherlayerError {
  return error instanceof CipherlayerError ? error : new CipherlayerError('ERR_INTERNAL', { cause: error });
}

/** A developer's mistake found while checking options; `detail` says what to change. */
export function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}
