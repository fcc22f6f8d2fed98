import { CipherlayerError, type ErrorCode } from '@cipherlayer/core';

/**
 * A failure the server answered with, in the clear: a cipherlayer error body
 * (`{"error":{"code":…}}`), or a response that is not a cl1 message at all
 * (code `ERR_PLAINTEXT_REJECTED`: the client refuses to hand unencrypted
 * content to the application). Error responses are not authenticated, so the
 * code is the server's word, not proof; the client only ever reacts to it by
 * retrying once, never by sending plaintext.
 */
export class CipherlayerServerError extends CipherlayerError {
  /** The HTTP status the failure arrived with (0 for a redirect a browser keeps opaque). */
  readonly httpStatus: number;

  constructor(code: ErrorCode, httpStatus: number) {
    super(code);
    this.name = 'CipherlayerServerError';
    this.httpStatus = httpStatus;
  }
}

/** The `Date` header of each server error, kept out of the public error object: only ERR_STALE uses it. */
const serverDates = new WeakMap<CipherlayerServerError, string>();

export function serverError(code: ErrorCode, response: Response): CipherlayerServerError {
  const error = new CipherlayerServerError(code, response.status);
  const date = response.headers.get('date');
  if (date !== null) serverDates.set(error, date);
  return error;
}

export function serverDateOf(error: unknown): string | undefined {
  return error instanceof CipherlayerServerError ? serverDates.get(error) : undefined;
}

/** A mistake in the client's options or in how it is called: says what to change, never echoes data. */
export function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}
