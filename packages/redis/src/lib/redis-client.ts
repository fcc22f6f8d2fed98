import { CipherlayerError, isCipherlayerError } from '@cipherlayer/core';
import type { Cluster, Redis } from 'ioredis';

/** A standalone ioredis client or an ioredis Cluster: every command the stores send names one key. */
export type RedisClient = Redis | Cluster;

/**
 * Connection states in which ioredis has no usable connection: lost, or
 * (re)connecting after a loss. A command sent then would wait in the offline
 * queue (or be refused by it); failing at once is the same answer, sooner,
 * and queues nothing. `wait` (lazyConnect, never used) is left out: the
 * first command is what connects such a client.
 */
const DISCONNECTED: ReadonlySet<string> = new Set([
  'connecting',
  'reconnecting',
  'disconnecting',
  'close',
  'end',
]);

/** What a store keeps of a Redis failure: ioredis attaches the command's arguments (keys name sessions). */
class RedisFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function unavailable(error?: unknown): CipherlayerError {
  if (error === undefined) return new CipherlayerError('ERR_STORE_UNAVAILABLE');
  const cause = error instanceof Error ? new RedisFailure(error.name, error.message) : undefined;
  return new CipherlayerError('ERR_STORE_UNAVAILABLE', { cause });
}

/**
 * Sends store commands with a deadline. Every failure (refused, timed out,
 * connection lost, an error reply) becomes ERR_STORE_UNAVAILABLE: the stores
 * fail closed and never answer from anywhere but Redis.
 */
export class CommandGuard {
  constructor(
    readonly client: RedisClient,
    private readonly timeoutMs: number,
  ) {}

  async run<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (DISCONNECTED.has(this.client.status)) throw unavailable();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisFailure('TimeoutError', 'store command timed out')),
        this.timeoutMs,
      );
    });
    try {
      // A command that loses the race may still run later; each one's late effect only refuses more.
      return await Promise.race([command(this.client), deadline]);
    } catch (error) {
      throw isCipherlayerError(error) ? error : unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
