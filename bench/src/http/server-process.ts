import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './server/ipc.js';
import type { ServerSpec } from './server/spec.js';

/** A server child's own counters at one moment (process.cpuUsage() in µs, RSS in bytes). */
export interface CpuSample {
  readonly user: number;
  readonly system: number;
  readonly rss: number;
  /** The child's peak RSS so far (getrusage maxrss), bytes. */
  readonly peakRss: number;
}

export interface ServerProcessOptions {
  /** Added to the environment (seed 002's AES_KEY, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** Node options of the child (`--cpu-prof`...). None by default, whatever the parent runs with. */
  readonly execArgv?: readonly string[];
}

const CHILD = fileURLToPath(new URL('./server/child.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const SAMPLE_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;
/** Refilling the rsa-session pool: 16 RSA-2048 keys, about 160 ms each on one worker, on a busy machine. */
const SETTLE_TIMEOUT_MS = 30_000;

/** The parent's handle on one server child: its port, CPU samples over IPC, and stop. */
export class ServerProcess {
  #nextId = 0;
  readonly #pending = new Map<number, (sample: CpuSample | undefined) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'cpu' && message.type !== 'settled') return;
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(
        message.type === 'cpu'
          ? { user: message.user, system: message.system, rss: message.rss, peakRss: message.peakRss }
          : undefined,
      );
    });
  }

  static start(spec: ServerSpec, options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const child = fork(CHILD, [], {
      env: { ...process.env, ...options.env },
      execArgv: [...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise<ServerProcess>((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new Error(`${spec.framework}/${spec.scheme} server did not start within ${START_TIMEOUT_MS} ms`),
          ),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) =>
        fail(new Error(`${spec.framework}/${spec.scheme} server exited (${code})`)),
      );
      child.on('message', function onMessage(message: ChildMessage) {
        if (message.type === 'ready') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.off('message', onMessage);
          resolve(new ServerProcess(child, message.port));
        } else if (message.type === 'failed') {
          fail(new Error(`${spec.framework}/${spec.scheme} server failed to start: ${message.message}`));
        }
      });
      child.send({ type: 'start', spec } satisfies ParentMessage);
    });
  }

  /** The child's process id (for an external profiler: perf, strace). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's CPU time and RSS now. The IPC round trip costs the child a few µs, once per sample. */
  async cpu(): Promise<CpuSample> {
    return (await this.#ask('cpu', SAMPLE_TIMEOUT_MS)) as CpuSample;
  }

  /** Resolves once the child's scheme has no background work pending (the rsa-session pool refilled). */
  async settle(): Promise<void> {
    await this.#ask('settle', SETTLE_TIMEOUT_MS);
  }

  #ask(type: 'cpu' | 'settle', timeoutMs: number): Promise<CpuSample | undefined> {
    const id = this.#nextId++;
    return new Promise<CpuSample | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the server child did not answer (${type})`));
      }, timeoutMs);
      this.#pending.set(id, (sample) => {
        clearTimeout(timer);
        resolve(sample);
      });
      this.child.send({ type, id } satisfies ParentMessage);
    });
  }

  /** Asks the child to close and exit (writing its CPU profile, if any); kills it if it does not. */
  stop(): Promise<void> {
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
      else child.kill('SIGTERM');
    });
  }
}
