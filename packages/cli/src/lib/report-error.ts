import { isCipherlayerError } from '@cipherlayer/core';
import { CliError } from './cli-error.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

const INPUT_CODES = new Set(['ERR_CONFIG', 'ERR_INVALID_KEY', 'ERR_MALFORMED', 'ERR_TOO_LARGE']);
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const INPUT_ERRNO = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR']);

export interface Classified {
  readonly exitCode: ExitCodeValue;
  /** One line for the user; never a stack trace. */
  readonly message: string;
}

/**
 * Maps any error to an exit code and one line. cipherlayer's own errors carry
 * safe messages by design (no key, plaintext or token); an unknown error is
 * a bug, and says how to see its stack.
 */
export function classifyError(error: unknown): Classified {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.detail };
  if (isCipherlayerError(error)) {
    if (error.code === 'ERR_STORE_UNAVAILABLE')
      return { exitCode: ExitCode.Unavailable, message: error.message };
    return {
      exitCode: INPUT_CODES.has(error.code) ? ExitCode.Input : ExitCode.Failure,
      message: error.message,
    };
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'string' && UNAVAILABLE_ERRNO.has(errno))
    return { exitCode: ExitCode.Unavailable, message: `cannot connect: ${message}` };
  if (typeof errno === 'string' && INPUT_ERRNO.has(errno)) return { exitCode: ExitCode.Input, message };
  return {
    exitCode: ExitCode.Internal,
    message: `internal error: ${message} (run again with --debug for the stack trace, and report it)`,
  };
}

/** The stack and the chain of causes, for --debug. */
export function debugText(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    lines.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) lines.push('caused by:');
  }
  return `${lines.join('\n')}\n`;
}
