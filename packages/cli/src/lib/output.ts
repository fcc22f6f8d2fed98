/**
 * Where a command writes: results on stdout, progress, warnings and errors
 * on stderr. Colours only on a terminal, and never with NO_COLOR set
 * (https://no-color.org) or TERM=dumb.
 */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof CODES;

export function colorAllowed(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export class Output {
  readonly json: boolean;
  readonly #streams: Streams;
  readonly #colorOut: boolean;
  readonly #colorErr: boolean;

  constructor(streams: Streams, env: NodeJS.ProcessEnv, json: boolean) {
    this.#streams = streams;
    this.json = json;
    this.#colorOut = colorAllowed(streams.stdout, env);
    this.#colorErr = colorAllowed(streams.stderr, env);
  }

  get stderr(): Streams['stderr'] {
    return this.#streams.stderr;
  }

  get stderrIsTerminal(): boolean {
    return this.#streams.stderr.isTTY === true;
  }

  get stderrColor(): boolean {
    return this.#colorErr;
  }

  /** Styles text for stdout (a no-op without colours). */
  style(style: Style, text: string): string {
    return this.#colorOut ? paint(style, text) : text;
  }

  line(text = ''): void {
    this.#streams.stdout.write(`${text}\n`);
  }

  raw(data: string | Uint8Array): void {
    this.#streams.stdout.write(data);
  }

  result(value: unknown): void {
    this.#streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A note on stderr (progress, hints), so that stdout stays parseable. */
  note(text: string): void {
    this.#streams.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.#streams.stderr.write(`${this.#colorErr ? paint('yellow', 'warning:') : 'warning:'} ${text}\n`);
  }

  error(text: string): void {
    this.#streams.stderr.write(
      `${this.#colorErr ? paint('red', 'cipherlayer: error:') : 'cipherlayer: error:'} ${text}\n`,
    );
  }
}

export function paint(style: Style, text: string): string {
  const [on, off] = CODES[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** Left-aligned columns, for tables of keys and counts. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
