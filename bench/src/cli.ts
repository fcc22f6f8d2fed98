import { MODES, type Mode } from './group.js';

export interface CliOptions {
  readonly mode: Mode;
  /** Group names to run, in registry order; empty means all. */
  readonly only: readonly string[];
  readonly help: boolean;
}

const { quick, full } = MODES;

export const USAGE = `usage: npm run bench -- [--quick] [--only <group>[,<group>...]]

  --quick          ${quick.rounds} rounds of ~${quick.roundMs} ms per variant, and short HTTP suites, memory
                   and browser runs (under a minute in all), for development
  --full           ${full.rounds} rounds of ~${full.roundMs} ms per variant, and the full HTTP suites (the default):
                   the published figures
  --only <groups>  run these groups only (repeatable, or comma-separated): the micro groups
                   (stateless, session, bodies, peers, handshake, backends, records), the HTTP
                   suites (http-fastify, http-express; \`http\` is both), memory, browser
  --help           this text`;

export class UsageError extends Error {}

/**
 * `known` are the group names `--only` accepts; `aliases` name several at
 * once (`http` for every HTTP suite).
 */
export function parseArgs(
  args: readonly string[],
  known: readonly string[],
  aliases: Readonly<Record<string, readonly string[]>> = {},
): CliOptions {
  let mode = MODES.full;
  const only: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--quick') mode = MODES.quick;
    else if (arg === '--full') mode = MODES.full;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? args[++i] : arg.slice('--only='.length);
      if (value === undefined || value === '') throw new UsageError('--only needs a group name');
      for (const name of value.split(',')) {
        const names = Object.hasOwn(aliases, name) ? (aliases[name] as readonly string[]) : [name];
        for (const group of names) {
          if (!known.includes(group))
            throw new UsageError(
              `unknown group "${group}"; the groups are: ${[...known, ...Object.keys(aliases)].join(', ')}`,
            );
          if (!only.includes(group)) only.push(group);
        }
      }
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  return { mode, only, help };
}
