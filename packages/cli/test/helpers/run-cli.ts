import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO = resolve(here, '../../../..');
export const CLI = join(REPO, 'packages/cli/dist/main.js');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let checked = false;

/** The tests run the built CLI, so a build older than the sources would test old code: refuse that. */
function assertFreshBuild(): void {
  if (checked) return;
  let built: number;
  try {
    built = newest(join(REPO, 'packages/cli/dist'));
  } catch {
    throw new Error('packages/cli/dist is missing: run `npm run build` (tsc -b) before these tests');
  }
  for (const pkg of ['cli', 'tls', 'core', 'records'])
    if (newest(join(REPO, `packages/${pkg}/src`)) > built)
      throw new Error(`packages/${pkg}/src is newer than packages/cli/dist: run \`npm run build\` first`);
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
