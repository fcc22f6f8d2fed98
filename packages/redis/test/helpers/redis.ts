import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';

/** The client options the README recommends: fail fast while Redis is away, reconnect by itself. */
export const recommendedClientOptions: RedisOptions = {
  enableOfflineQueue: false,
  commandTimeout: 500,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
  connectTimeout: 1000,
  retryStrategy: (attempt) => Math.min(attempt * 50, 200),
};

/**
 * Connects and waits until the client is ready. A missing Redis fails the
 * test (it is never skipped) with a message that says how to start it.
 * `options` replace the recommended ones (pass `{}` for ioredis defaults).
 */
export async function connectRedis(
  port = 6379,
  options: RedisOptions = recommendedClientOptions,
): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, ...options });
  // As an app must: without a listener ioredis prints every reconnection failure as unhandled.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    throw new Error(`Redis on 127.0.0.1:${port} is unreachable (run scripts/services.sh)`, { cause });
  }
  return client;
}

/** A key prefix no other test run (or engineer) uses. */
export function uniquePrefix(): string {
  return `cltest:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** Every key under `prefix`, as raw bytes. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

export async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.unlink(...keys);
}

/** A connection to the shared Redis with a prefix of its own; `close` removes the keys and disconnects. */
export interface RedisScope {
  readonly client: Redis;
  readonly prefix: string;
  /** Another connection to the same Redis (a second server instance). */
  connection(): Promise<Redis>;
  close(): Promise<void>;
}

export async function redisScope(port = 6379): Promise<RedisScope> {
  const client = await connectRedis(port);
  const prefix = uniquePrefix();
  const extra: Redis[] = [];
  return {
    client,
    prefix,
    async connection() {
      const connection = await connectRedis(port);
      extra.push(connection);
      return connection;
    },
    async close() {
      await deleteKeysUnder(client, prefix);
      for (const connection of [client, ...extra]) connection.disconnect();
    },
  };
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

/**
 * A redis-server of the test's own, on a free port in a temporary directory,
 * with no persistence: stopping it loses every key, as a crash would.
 */
export class RedisProcess {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly extraArgs: readonly string[],
  ) {}

  static async start(extraArgs: readonly string[] = []): Promise<RedisProcess> {
    const server = new RedisProcess(await freePort(), mkdtempSync(join(tmpdir(), 'cl-redis-')), extraArgs);
    await server.restart();
    return server;
  }

  get pid(): number {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error('redis-server is not running');
    return pid;
  }

  /** Starts the server (again) on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error('redis-server is already running');
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    const failed = new Promise<never>((_, reject) => child.once('error', reject));
    failed.catch(() => {});
    this.#child = child;
    const deadline = Date.now() + 5000;
    while (!(await Promise.race([ping(this.port), failed]))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await sleep(20);
    }
  }

  /** Kills the server outright (no SHUTDOWN handshake): clients see the connection drop. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Freezes the server: connections stay open, nothing is answered (a hung Redis). */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async close(): Promise<void> {
    this.resume();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
