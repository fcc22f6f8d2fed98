import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The real Redis on 127.0.0.1:6379, for one test file: its keys under a
 * prefix of their own, removed when the file is done.
 */
export class TestRedis {
  readonly prefix = `cl-test-${randomUUID()}:`;
  readonly redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });

  async connect(): Promise<Redis> {
    await this.redis.connect();
    return this.redis;
  }

  async close(): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
  }
}
