import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/run.js';
import type { CliOptions, CliRun } from './run-cli.js';
import { REPO } from './run-cli.js';

function capture(): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

/**
 * The CLI's `run` from the sources, in this process, with pipes for streams:
 * the coverage of the CLI's code (a subprocess is invisible to it), and a
 * second opinion to compare with the built binary. The environment is also
 * put in process.env for the duration, since keyrings read it there.
 */
export async function runInProcess(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...options.env };
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await run(args, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
      env,
      cwd: options.cwd ?? REPO,
    });
    await new Promise((done) => setImmediate(done));
    return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
