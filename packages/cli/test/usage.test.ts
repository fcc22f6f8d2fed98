import { describe, expect, it } from 'vitest';
import { runCli, STACK } from './helpers/run-cli.js';

const COMMANDS = [
  'keys generate',
  'keys list',
  'keys rotate',
  'keys pin',
  'inspect',
  'records rewrap',
  'records reencrypt',
  'records verify',
  'certs dev',
  'bench',
];

describe('usage', () => {
  it('prints the command list and exit codes with --help (0), and without arguments (2)', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(command);
    expect(help.stdout).toMatch(/exit codes:[\s\S]*130\s+interrupted/);
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('usage: cipherlayer <command>');
  });

  it.each(COMMANDS)('has --help with examples for "%s"', async (command) => {
    const run = await runCli([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`usage: cipherlayer ${command}`);
    expect(run.stdout).toMatch(/examples:\n {2}.*cipherlayer /);
    expect(run.stdout).toContain('--json');
  });

  it('answers help <command> and --version', async () => {
    expect((await runCli(['help', 'keys', 'pin'])).stdout).toContain('usage: cipherlayer keys pin');
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"; the commands are keys, inspect, records, certs, bench/],
    [['keys', 'destroy'], /unknown command "keys destroy"; keys has generate, list, rotate, pin/],
    [
      ['keys', 'generate', '--out', 'x.json', '--colour'],
      /unknown option --colour for keys generate; see cipherlayer keys generate --help/,
    ],
    [['keys', 'generate', '--out'], /option --out needs a value/],
    [['keys', 'generate', '--out', 'x.json', '--force=yes'], /option --force takes no value/],
    [['keys', 'list', 'a.json', 'b.json'], /unexpected argument "b.json" for keys list/],
    [
      ['keys', 'generate', '--out', 'x.json', '--kid', 'seven'],
      /--kid must be a whole number from 0 to 255, not "seven"/,
    ],
    [['keys', 'generate', '--out', 'x.json', '--suite', 'rsa'], /--suite must be one of x25519, p256/],
    [
      ['keys', 'generate', '--out', 'x.json', '--not-after', 'tomorrow'],
      /--not-after must be an ISO 8601 date/,
    ],
    [['keys', 'generate', '--out', 'x.json', '--curve', 'P-521'], /--curve is for --profile jwe/],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('reports errors as JSON on stdout with --json, and shows the stack only with --debug', async () => {
    const json = await runCli(['keys', 'list', '--json', '--nope']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { message: expect.stringContaining('unknown option --nope'), exitCode: 2 },
    });
    const debug = await runCli(['keys', 'list', '--debug', '--nope']);
    expect(debug.stderr).toMatch(STACK);
  });
});
