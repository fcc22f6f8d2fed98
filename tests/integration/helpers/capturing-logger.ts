import { inspect } from 'node:util';
import type { Logger } from '@cipherlayer/server';
import { expect } from 'vitest';
import { textForms } from './secrets.js';

export interface LogLine {
  readonly level: string;
  /** The whole line as text: message and fields, byte strings in hex, base64 and base64url. */
  readonly text: string;
}

/** Renders fields so that any byte string in them is searchable in the forms a log would show. */
function render(fields: unknown, message: string): string {
  const replacer = (_key: string, value: unknown) =>
    value instanceof Uint8Array ? textForms(value).join(' ') : value;
  let json: string;
  try {
    json = JSON.stringify(fields, replacer);
  } catch {
    json = '';
  }
  // inspect too: it shows what JSON.stringify drops (error causes, symbols, class names).
  return `${message} ${json} ${inspect(fields, { depth: null, showHidden: true })}`;
}

/**
 * A server logger that keeps every line: pino-style methods for
 * cipherlayer's `logger` option, and a `stream` for a pino logger (Fastify's)
 * that writes JSON lines. Every level is kept, debug included.
 */
export class CapturingLogger implements Required<Logger> {
  readonly lines: LogLine[] = [];
  readonly stream = {
    write: (line: string): void => {
      this.lines.push({ level: 'pino', text: line });
    },
  };

  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', text: render(fields, message) });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', text: render(fields, message) });
  }
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', text: render(fields, message) });
  }
  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', text: render(fields, message) });
  }

  /** Lines logged from `mark` (a previous `lines.length`) on. */
  since(mark: number): LogLine[] {
    return this.lines.slice(mark);
  }

  /** Fails if any of `values` appears in any line logged since `mark`. */
  expectNoneOf(values: readonly string[], mark = 0): void {
    const lines = this.since(mark);
    for (const value of values) {
      expect(value.length, 'a forbidden value must not be empty').toBeGreaterThan(7);
      const line = lines.find((l) => l.text.includes(value));
      expect(line, `"${value}" was logged: ${line?.text}`).toBeUndefined();
    }
  }
}
