import type { Output } from './output.js';

/** One option of a command, as node:util parseArgs takes it, with its help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Shown in help: `--out <file>`. */
  readonly value?: string;
  readonly description: string;
}

export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  readonly positionals: readonly string[];
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

export interface Command {
  /** The words that name it: "keys generate". */
  readonly name: string;
  readonly summary: string;
  /** After "cipherlayer <name> ": "[options] <file>". */
  readonly usage: string;
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Most positional arguments taken (default 0). */
  readonly maxPositionals?: number;
  readonly examples: readonly string[];
  run(context: CommandContext): Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  json: {
    type: 'boolean',
    description: 'print the result as JSON on stdout (progress and warnings stay on stderr)',
  },
  debug: { type: 'boolean', description: 'on an error, print its stack trace and causes' },
};
