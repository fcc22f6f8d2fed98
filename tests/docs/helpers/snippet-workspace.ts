import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { bundleSnippet, REPO } from './from-source.js';

/** The shell blocks run `npx cipherlayer`, the built CLI, as a reader does. */
export async function assertBuiltCli(): Promise<void> {
  await access(join(REPO, 'packages/cli/dist/main.js')).catch(() => {
    throw new Error('packages/cli/dist is missing: run `npm run build` before the docs tests');
  });
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** A server snippet running as `node <file>`, until `stop()`. */
export class RunningSnippet {
  readonly #child: ChildProcess;
  readonly #finished: Promise<Finished>;

  constructor(
    child: ChildProcess,
    readonly origin: string,
  ) {
    this.#child = child;
    this.#finished = collect(child);
  }

  /** Whatever the process printed so far is only known once it exits: for failure messages. */
  async stop(): Promise<Finished> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    return await this.#finished;
  }

  /** Resolves when the process exits on its own (a crash at startup). */
  get exited(): Promise<Finished> {
    return this.#finished;
  }
}

/**
 * A directory outside the repository where snippets are saved and run as a
 * reader would run them: `node server.mjs`, `npx cipherlayer ...`. Its
 * `node_modules` is a link to the repository's, so `express`, `fastify`,
 * `ioredis` and the `cipherlayer` command resolve to what is installed, and
 * nothing is ever fetched (npm runs offline).
 */
export class SnippetWorkspace {
  private constructor(readonly dir: string) {}

  static async create(): Promise<SnippetWorkspace> {
    const dir = await mkdtemp(join(tmpdir(), 'cipherlayer-docs-'));
    await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    return new SnippetWorkspace(dir);
  }

  #env(extra: Readonly<Record<string, string>>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    return {
      ...env,
      PATH: `${join(REPO, 'node_modules', '.bin')}${delimiter}${env.PATH ?? ''}`,
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      ...extra,
    };
  }

  async write(name: string, text: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, text);
    return path;
  }

  /** A shell block, run by bash with `-e` (the first failing command fails it) in the workspace. */
  async shell(script: string): Promise<Finished> {
    return await collect(
      spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd: this.dir,
        env: this.#env({}),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /**
   * Saves a Node snippet as `<name>.mjs`, exactly as written, and beside it
   * `<name>.run.mjs`: the same module with `@cipherlayer/*` bundled from
   * the sources (see from-source.ts). Returns the file to run.
   */
  async prepare(name: string, code: string): Promise<string> {
    await this.write(`${name}.mjs`, code);
    return await this.write(`${name}.run.mjs`, await bundleSnippet(this.dir, `./${name}.mjs`, 'node'));
  }

  /** `node <file>` to its end. */
  async node(file: string, env: Readonly<Record<string, string>> = {}): Promise<Finished> {
    return await collect(
      spawn(process.execPath, [file], {
        cwd: this.dir,
        env: this.#env(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /**
   * `node <file>` with `PORT` set, ready once its discovery document answers;
   * a process that exits first, or is not ready within `readyMs`, fails with
   * what it printed.
   */
  async serve(
    file: string,
    port: number,
    env: Readonly<Record<string, string>> = {},
  ): Promise<RunningSnippet> {
    const child = spawn(process.execPath, [file], {
      cwd: this.dir,
      env: this.#env({ ...env, PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = new RunningSnippet(child, `http://127.0.0.1:${port}`);
    let exited = false;
    void running.exited.then(() => {
      exited = true;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await fetch(`${running.origin}/.well-known/cipherlayer`).catch(() => undefined);
      if (answer?.status === 200) return running;
      if (exited || Date.now() > deadline) {
        const output = await running.stop();
        throw new Error(
          `${file} did not start (exit ${output.code}):\n${output.stderr}${output.stdout}`.trimEnd(),
        );
      }
      await new Promise((wake) => setTimeout(wake, 100));
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
