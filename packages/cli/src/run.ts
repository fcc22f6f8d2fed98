import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/index.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import { parseCommandArgs } from './lib/args.js';
import { usageError } from './lib/cli-error.js';
import type { Command } from './lib/command.js';
import { ExitCode } from './lib/exit-codes.js';
import { Output, type Streams } from './lib/output.js';
import { classifyError, debugText } from './lib/report-error.js';

export interface Environment extends Streams {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

function version(): string {
  try {
    const url = new URL('../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The longest command name that the arguments start with ("keys generate", "inspect"). */
function findCommand(args: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = args.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command !== undefined) return { command, rest: args.slice(words) };
  }
  return undefined;
}

function suggestion(word: string): string {
  const groups = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0] as string))];
  return `unknown command "${word}"; the commands are ${groups.join(', ')} (cipherlayer --help)`;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function run(args: readonly string[], environment: Environment): Promise<number> {
  const wantsJson = args.includes('--json');
  const debug = args.includes('--debug');
  const out = new Output(environment, environment.env, wantsJson);
  try {
    const first = args[0];
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? args.slice(1) : [];
      if (topic.length > 0) return await run([...topic, '--help'], environment);
      out.raw(mainHelp(COMMANDS, version()));
      return first === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
    if (first === '--version' || first === '-V') {
      out.line(version());
      return ExitCode.Ok;
    }
    const found = findCommand(args);
    if (found === undefined) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
      if (group.length === 0) throw usageError(suggestion(first));
      const second = args[1];
      if (second === undefined || second === '--help' || second === '-h') {
        out.raw(groupHelp(first, group));
        return second === undefined ? ExitCode.Usage : ExitCode.Ok;
      }
      throw usageError(
        `unknown command "${first} ${second}"; ${first} has ${group.map((c) => c.name.split(' ')[1]).join(', ')}`,
      );
    }
    const { command, rest } = found;
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help === true) {
      out.raw(commandHelp(command));
      return ExitCode.Ok;
    }
    return await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      out,
      env: environment.env,
      cwd: environment.cwd,
      stdin: environment.stdin,
    });
  } catch (error) {
    const classified = classifyError(error);
    if (wantsJson)
      environment.stdout.write(
        `${JSON.stringify({ error: { message: classified.message, exitCode: classified.exitCode } }, null, 2)}\n`,
      );
    out.error(classified.message);
    if (debug) environment.stderr.write(debugText(error));
    return classified.exitCode;
  }
}
