import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO = resolve(here, '../../../..');
export const CLI = join(REPO, 'packages/cli/dist/main.js');

/** The latest modification time under `dir`, ignoring files saved after `before`. */
function newest(dir: string, before = Number.POSITIVE_INFINITY): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newest(path, before) : statSync(path).mtimeMs;
    if (time <= before) latest = Math.max(latest, time);
  }
  return latest;
}

let checked = false;

/**
 * The tests run the built CLI, which runs each package's own dist: a build
 * older than its sources would test old code, so refuse that, package by
 * package (comparing with the CLI's dist alone would also refuse a fresh
 * build whenever a dependency's sources were saved after the CLI's last emit).
 * A source saved after this test process started is an edit in progress in
 * a shared checkout, not a build forgotten before the run: it is not counted.
 */
function assertFreshBuild(): void {
  if (checked) return;
  for (const pkg of ['cli', 'tls', 'core', 'records', 'profiles']) {
    let built: number;
    try {
      built = newest(join(REPO, `packages/${pkg}/dist`));
    } catch {
      throw new Error(`packages/${pkg}/dist is missing: run \`npm run build\` (tsc -b) before these tests`);
    }
    if (newest(join(REPO, `packages/${pkg}/src`), performance.timeOrigin) > built)
      throw new Error(`packages/${pkg}/src is newer than its dist: run \`npm run build\` first`);
  }
  checked = true;
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly input?: string | Uint8Array;
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Called with each chunk of stderr; may kill the child. */
  readonly onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
}

/** `node packages/cli/dist/main.js ...args` as a subprocess (stdin, stdout and stderr are pipes, not a TTY). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  assertFreshBuild();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NODE_ENV: 'test', ...options.env }))
    if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    options.onStderr?.(stderr, child);
  });
  child.stdin.end(options.input ?? '');
  return new Promise((done) => child.once('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

/** No stack trace: what a user mistake must never print. */
export const STACK = /\n\s+at .+:\d+:\d+/;
