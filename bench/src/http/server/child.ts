import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressApp } from './express-app.js';
import { fastifyApp } from './fastify-app.js';
import type { ChildMessage, ParentMessage } from './ipc.js';
import { parseServerSpec, type ServerSpec } from './spec.js';

/**
 * A server child process: one variant's app on 127.0.0.1, a free port. It
 * answers the parent's CPU samples over IPC with its own process.cpuUsage()
 * (every thread of this process: the libuv pool's and V8's GC threads too),
 * so the parent can divide the server's CPU by the requests it served. It
 * exits when told to, or when the parent goes away.
 */

interface Running {
  readonly port: number;
  close(): Promise<void>;
  /** Resolves once the scheme has no background work pending (the rsa-session pool refilled). */
  settle(): Promise<void>;
}

async function start(spec: ServerSpec): Promise<Running> {
  if (spec.framework === 'fastify') {
    const { app, settle } = await fastifyApp(spec);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close(), settle };
  }
  const { app, settle } = await expressApp(spec);
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    settle,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

let running: Running | undefined;

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'start':
      start(parseServerSpec(message.spec)).then(
        (server) => {
          running = server;
          send({ type: 'ready', port: server.port });
        },
        (error: unknown) =>
          send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
      return;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      // maxRSS: the peak resident set size of this process so far, in KiB.
      const peakRss = process.resourceUsage().maxRSS * 1024;
      send({ type: 'cpu', id: message.id, user, system, rss: process.memoryUsage.rss(), peakRss });
      return;
    }
    case 'settle':
      (running?.settle() ?? Promise.resolve()).then(
        () => send({ type: 'settled', id: message.id }),
        () => send({ type: 'settled', id: message.id }),
      );
      return;
    case 'stop':
      // process.exit writes the --cpu-prof profile, when there is one.
      (running?.close() ?? Promise.resolve()).finally(() => process.exit(0));
      return;
  }
});

// The parent died or let go: never outlive it.
process.on('disconnect', () => process.exit(0));
