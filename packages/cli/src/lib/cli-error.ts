import { CipherlayerError, type ErrorCode } from '@cipherlayer/core';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * A failure the user can act on, with the exit code it ends with. It is a
 * CipherlayerError (one registry: ERR_CONFIG for usage and input mistakes,
 * others where they fit) whose `detail` is the one line printed.
 */
export class CliError extends CipherlayerError {
  readonly exitCode: ExitCodeValue;
  readonly detail: string;

  constructor(exitCode: ExitCodeValue, code: ErrorCode, detail: string, cause?: unknown) {
    super(code, cause === undefined ? { detail } : { detail, cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.detail = detail;
  }
}

export function usageError(detail: string): CliError {
  return new CliError(ExitCode.Usage, 'ERR_CONFIG', detail);
}

export function inputError(detail: string, cause?: unknown): CliError {
  return new CliError(ExitCode.Input, 'ERR_CONFIG', detail, cause);
}

export function unavailableError(detail: string, cause?: unknown): CliError {
  return new CliError(ExitCode.Unavailable, 'ERR_STORE_UNAVAILABLE', detail, cause);
}

export function failure(code: ErrorCode, detail: string, cause?: unknown): CliError {
  return new CliError(ExitCode.Failure, code, detail, cause);
}
