import { parseArgs } from 'node:util';
import { usageError } from './cli-error.js';
import { type Command, GLOBAL_OPTIONS } from './command.js';

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

/** node:util parseArgs, strict, with its errors turned into one-line usage errors naming the command. */
export function parseCommandArgs(command: Command, args: readonly string[]): ParsedArgs {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  const help = `see cipherlayer ${command.name} --help`;
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    }) as ParsedArgs;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message;
    // "Unknown option '--x'", "Option '-o, --out <value>' argument missing": the long name when there is one.
    const option = /'(?:-\w, )?(-[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw usageError(`unknown option ${option} for ${command.name}; ${help}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw usageError(
        /argument missing/.test(message)
          ? `option ${option} needs a value; ${help}`
          : `option ${option} takes no value; ${help}`,
      );
    throw usageError(`${message}; ${help}`);
  }
  if (parsed.values.help !== true && parsed.positionals.length > (command.maxPositionals ?? 0))
    throw usageError(
      `unexpected argument "${parsed.positionals[command.maxPositionals ?? 0]}" for ${command.name}; ${help}`,
    );
  return parsed;
}

export function stringValue(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(values: ParsedArgs['values'], name: string, hint: string): string {
  const value = stringValue(values, name);
  if (value === undefined || value.length === 0) throw usageError(`--${name} is required: ${hint}`);
  return value;
}

export function stringList(values: ParsedArgs['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function integerValue(
  values: ParsedArgs['values'],
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = stringValue(values, name);
  if (text === undefined) return undefined;
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw usageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

export function choiceValue<T extends string>(
  values: ParsedArgs['values'],
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const text = stringValue(values, name);
  if (text === undefined) return fallback;
  const match = choices.find((c) => c.toLowerCase() === text.toLowerCase());
  if (match === undefined) throw usageError(`--${name} must be one of ${choices.join(', ')}, not "${text}"`);
  return match;
}

/** An ISO 8601 date or date-time ("2026-07-01", "2026-07-01T12:00:00Z"). */
export function dateValue(values: ParsedArgs['values'], name: string): Date | undefined {
  const text = stringValue(values, name);
  if (text === undefined) return undefined;
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time))
    throw usageError(`--${name} must be an ISO 8601 date such as 2026-07-01T00:00:00Z, not "${text}"`);
  return new Date(time);
}
