import { CipherlayerError, type ErrorCode, errorRegistry } from '@cipherlayer/core';

/**
 * A refusal from the server, as every profile sends it in the clear:
 * `{"error":{"code":"ERR_…","message":…}}`. The profile clients turn it
 * into the CipherlayerError itself, so an app handles a 415 from a profile
 * route as it would from cl1; anything else that is not sealed is
 * ERR_PLAINTEXT_REJECTED, never handed on as if it had been.
 */
export function refusalOf(text: string): CipherlayerError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (value as { error?: { code?: unknown } } | null)?.error;
  const code = error?.code;
  if (typeof code !== 'string' || !Object.hasOwn(errorRegistry, code)) return undefined;
  return new CipherlayerError(code as ErrorCode);
}
