import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the balancer forwarded, as it received it, and the answer it passed back. */
export interface Forwarded {
  /** Index of the instance that got it. */
  readonly instance: number;
  readonly method: string;
  readonly target: string;
  /** Lower-case names, as received. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  status?: number;
  responseHeaders?: Record<string, string>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function headerRecord(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < message.rawHeaders.length; i += 2) {
    out[message.rawHeaders[i]!.toLowerCase()] = message.rawHeaders[i + 1]!;
  }
  return out;
}

/**
 * A load balancer on one port in front of several server instances: each
 * request goes to the next instance in turn (per request, not per
 * connection, as an L7 balancer does), so one client's consecutive requests
 * land on different instances. The client sees one origin.
 */
export class RoundRobin {
  readonly forwarded: Forwarded[] = [];
  #next = 0;
  readonly #server = createServer((req, res) => {
    const instance = this.#next++ % this.instances.length;
    readAll(req)
      .then((body) => {
        const entry: Forwarded = {
          instance,
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers: headerRecord(req),
          body,
        };
        this.forwarded.push(entry);
        const upstream = new URL(this.instances[instance]!);
        const forward = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: entry.method,
            path: entry.target,
            headers: entry.headers,
          },
          (answer) => {
            entry.status = answer.statusCode ?? 0;
            entry.responseHeaders = headerRecord(answer);
            res.writeHead(entry.status, answer.rawHeaders);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(body);
      })
      .catch(() => res.destroy());
  });

  private constructor(readonly instances: readonly string[]) {}

  static async start(instances: readonly string[]): Promise<RoundRobin> {
    const balancer = new RoundRobin(instances);
    await new Promise<void>((resolve) => balancer.#server.listen(0, '127.0.0.1', resolve));
    return balancer;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The forwarded requests to `path` (query ignored). */
  to(method: string, path: string): Forwarded[] {
    return this.forwarded.filter((f) => f.method === method && f.target.split('?', 1)[0] === path);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
