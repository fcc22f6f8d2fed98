import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

export type ScriptArgument = string | number | Buffer;

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server does
 * not know it yet (NOSCRIPT: a restarted server, a new cluster node, SCRIPT
 * FLUSH). EVAL caches it again, so the fallback costs one round trip, once.
 */
export class LuaScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, key: string, args: readonly ScriptArgument[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.eval(this.source, 1, key, ...args);
    }
  }
}
