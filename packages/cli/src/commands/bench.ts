import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { failure, unavailableError } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import { ExitCode } from '../lib/exit-codes.js';

/** The cipherlayer repository that `dir` is in: a package.json named "cipherlayer" with a bench/ folder. */
export function findRepository(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const manifest = join(current, 'package.json');
    if (existsSync(manifest) && existsSync(join(current, 'bench'))) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cipherlayer')
          return current;
      } catch {
        // not a package.json we can read: keep looking upwards
      }
    }
    if (dirname(current) === current) return undefined;
  }
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suite (npm run bench) when inside the cipherlayer repository',
  usage: '[--quick] [--dry-run]',
  description: [
    'Benchmarks live in the repository, not in the published packages: inside a checkout this runs',
    '`npm run bench` there (it builds first), and exits with its code. Elsewhere it says how.',
  ].join('\n'),
  options: {
    quick: { type: 'boolean', description: 'a short run (passes --quick)' },
    'dry-run': { type: 'boolean', description: 'print the command instead of running it' },
  },
  examples: ['cipherlayer bench', 'cipherlayer bench --quick', 'cipherlayer bench --dry-run --json'],
  async run({ values, out, cwd }) {
    const root = findRepository(cwd);
    const args = ['run', 'bench', ...(values.quick === true ? ['--', '--quick'] : [])];
    if (root === undefined)
      throw failure(
        'ERR_CONFIG',
        'not inside a cipherlayer checkout: clone the repository, then run `npm ci && npm run bench` (or `cipherlayer bench`) in it',
      );
    if (values['dry-run'] === true) {
      if (out.json) out.result({ cwd: root, command: ['npm', ...args] });
      else out.line(`(cd ${root} && npm ${args.join(' ')})`);
      return ExitCode.Ok;
    }
    return new Promise<number>((done, fail) => {
      const child = spawn('npm', args, {
        cwd: root,
        stdio: ['ignore', out.json ? 'pipe' : 'inherit', 'inherit'],
      });
      child.stdout?.pipe(out.stderr, { end: false });
      child.once('error', (error) => fail(unavailableError(`cannot run npm: ${error.message}`, error)));
      child.once('exit', (code, signal) => {
        const exitCode = signal === null ? (code ?? ExitCode.Failure) : ExitCode.Interrupted;
        if (out.json) out.result({ cwd: root, command: ['npm', ...args], exitCode });
        done(exitCode);
      });
    });
  },
};
