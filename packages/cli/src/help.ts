import { type Command, GLOBAL_OPTIONS, type OptionSpec } from './lib/command.js';
import { columns } from './lib/output.js';

function optionRows(options: Readonly<Record<string, OptionSpec>>): string[][] {
  return Object.entries(options).map(([name, o]) => [
    `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` <${o.value}>` : ''}${o.multiple ? ' ...' : ''}`,
    o.description,
  ]);
}

export function commandHelp(command: Command): string {
  const lines = [
    `cipherlayer ${command.name}: ${command.summary}`,
    '',
    `usage: cipherlayer ${command.name} ${command.usage}`,
  ];
  if (command.description) lines.push('', command.description);
  if (Object.keys(command.options).length > 0)
    lines.push('', 'options:', ...columns(optionRows(command.options)));
  lines.push('', 'common options:', ...columns(optionRows(GLOBAL_OPTIONS)));
  lines.push('', 'examples:', ...command.examples.map((e) => `  ${e}`));
  lines.push(
    '',
    'exit codes: 0 ok, 1 failure, 2 usage, 3 bad input file or key, 4 unavailable, 70 internal, 130 interrupted',
  );
  return `${lines.join('\n')}\n`;
}

export function groupHelp(group: string, commands: readonly Command[]): string {
  const lines = [
    `usage: cipherlayer ${group} <command> [options]`,
    '',
    'commands:',
    ...columns(commands.map((c) => [`  ${c.name}`, c.summary])),
    '',
    `Run cipherlayer ${group} <command> --help for its options and examples.`,
  ];
  return `${lines.join('\n')}\n`;
}

export function mainHelp(commands: readonly Command[], version: string): string {
  const lines = [
    `cipherlayer ${version}: keys, message inspection, records rotation and development certificates`,
    '',
    'usage: cipherlayer <command> [options]',
    '',
    'commands:',
    ...columns(commands.map((c) => [`  ${c.name}`, c.summary])),
    '',
    'Every command takes --help (options and examples), --json (machine-readable output) and --debug.',
    'Colours only on a terminal, and never with NO_COLOR set.',
    '',
    'exit codes:',
    '  0    ok',
    '  1    the command ran and the answer is no (verification problems, failed job, decryption failed)',
    '  2    usage error: unknown command or option, missing or invalid value',
    '  3    bad input: a file or key is missing, unreadable, malformed or readable by others',
    '  4    unavailable: database, keyring service, openssl or npm could not be reached or run',
    '  70   internal error (a bug: report it with the --debug output)',
    '  130  interrupted (Ctrl-C); a records job resumes when run again',
  ];
  return `${lines.join('\n')}\n`;
}
