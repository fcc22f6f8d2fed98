import type { Logger } from '@cipherlayer/server';

/** Every line a server logged, as text, to look for what must never be there. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  error(fields: object, message: string): void {
    this.lines.push(`error ${message} ${JSON.stringify(fields)}`);
  }
  warn(fields: object, message: string): void {
    this.lines.push(`warn ${message} ${JSON.stringify(fields)}`);
  }
  info(fields: object, message: string): void {
    this.lines.push(`info ${message} ${JSON.stringify(fields)}`);
  }
  debug(fields: object, message: string): void {
    this.lines.push(`debug ${message} ${JSON.stringify(fields)}`);
  }

  /** The logged text, for `not.toContain` checks. */
  get text(): string {
    return this.lines.join('\n');
  }

  codes(): string[] {
    return this.lines.map((line) => /"code":"(ERR_[A-Z_]+)"/.exec(line)?.[1] ?? '').filter((c) => c !== '');
  }
}
