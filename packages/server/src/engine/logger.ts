import { configError } from './errors.js';

/**
 * The app's logger, pino-style (`logger.warn(fields, message)`); pino, a
 * Fastify instance's `log`, bunyan and `console` all fit. Cipherlayer logs
 * error codes, statuses and request ids: never plaintext, keys, messages,
 * session ids, or the text of an underlying error (a store's error message
 * may quote a key name that contains a session id).
 */
export interface Logger {
  error?(fields: object, message: string): void;
  warn?(fields: object, message: string): void;
  info?(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export interface LogSink {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const noop = (): void => {};

/** Checks the logger once and binds its methods, so a missing level costs nothing per request. */
export function logSink(logger: Logger | undefined): LogSink {
  const sink: LogSink = { error: noop, warn: noop, info: noop, debug: noop };
  if (logger === undefined) return sink;
  if (typeof logger !== 'object' || logger === null) {
    throw configError('logger must be an object with error/warn/info/debug methods (pino, console...)');
  }
  for (const level of LEVELS) {
    const method = logger[level];
    if (method === undefined) continue;
    if (typeof method !== 'function') throw configError(`logger.${level} must be a function`);
    sink[level] = method.bind(logger);
  }
  return sink;
}

/** What an underlying error may contribute to a log line: its class name and a symbolic code, no text. */
export function describeCause(cause: unknown): { name?: string; code?: string } {
  if (typeof cause !== 'object' || cause === null) return {};
  const out: { name?: string; code?: string } = {};
  const { name, code } = cause as { name?: unknown; code?: unknown };
  if (typeof name === 'string' && /^[A-Za-z][\w.]{0,63}$/.test(name)) out.name = name;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) out.code = code;
  return out;
}
