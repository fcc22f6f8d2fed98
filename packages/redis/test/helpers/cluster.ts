import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { connectRedis, freePort, RedisProcess, recommendedClientOptions } from './redis.js';

const run = promisify(execFile);

/** A Redis Cluster of the test's own: `size` masters, no replicas, joined with `redis-cli --cluster create`. */
export class RedisClusterProcesses {
  private constructor(readonly nodes: readonly RedisProcess[]) {}

  static async start(size = 3): Promise<RedisClusterProcesses> {
    const nodes: RedisProcess[] = [];
    try {
      for (let i = 0; i < size; i++) {
        // The bus port is given explicitly: port + 10000 may not be free (or may not exist).
        const busPort = await freePort();
        nodes.push(
          await RedisProcess.start([
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPort),
          ]),
        );
      }
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      await run(
        'redis-cli',
        ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
        {
          timeout: 20_000,
        },
      );
      const cluster = new RedisClusterProcesses(nodes);
      await cluster.#waitUntilOk();
      return cluster;
    } catch (error) {
      for (const node of nodes) await node.close();
      throw error;
    }
  }

  async #waitUntilOk(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (const node of this.nodes) {
      const client = await connectRedis(node.port);
      try {
        while (!(await client.cluster('INFO')).includes('cluster_state:ok')) {
          if (Date.now() > deadline) throw new Error('the test cluster did not reach cluster_state:ok');
          await sleep(50);
        }
      } finally {
        client.disconnect();
      }
    }
  }

  /** An ioredis Cluster client, ready. */
  async client(): Promise<Cluster> {
    const cluster = new Cluster(
      this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      { enableOfflineQueue: false, redisOptions: recommendedClientOptions, lazyConnect: true },
    );
    cluster.on('error', () => {});
    await cluster.connect();
    return cluster;
  }

  async close(): Promise<void> {
    for (const node of this.nodes) await node.close();
  }
}
