import { createServer, connect as netConnect, type Socket } from 'node:net';
import { expect } from 'vitest';
import {
  asRequest,
  asResponse,
  type HttpRequest,
  type HttpResponse,
  parseMessages,
} from './http-messages.js';

/** One request and its response, as read back from the raw bytes. */
export interface WireExchange {
  readonly request: HttpRequest;
  readonly response: HttpResponse | undefined;
}

interface Connection {
  readonly toServer: Buffer[];
  /** The arrival number of each chunk in `toServer`, across all connections. */
  readonly toServerOrder: number[];
  readonly toClient: Buffer[];
}

/** The arrival number of the chunk holding byte `offset`. */
function orderAt(chunks: readonly Buffer[], order: readonly number[], offset: number): number {
  let end = 0;
  for (let i = 0; i < chunks.length; i++) {
    end += chunks[i]!.length;
    if (offset < end) return order[i]!;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * A TCP relay in front of a server, where a TLS terminator or a proxy sits:
 * the client connects to the tap, the tap to the server, and every byte
 * that crosses in either direction is kept exactly as it was sent (request
 * lines, headers, framing, bodies). What the tap sees is what anything
 * between the client and the app would see.
 */
export class WireTap {
  readonly #all: Buffer[] = [];
  readonly #connections: Connection[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #server = createServer((client) => this.#relay(client));
  #origin = '';

  private constructor(private readonly upstream: URL) {}

  static async start(upstream: string): Promise<WireTap> {
    const tap = new WireTap(new URL(upstream));
    await new Promise<void>((resolve, reject) => {
      tap.#server.once('error', reject);
      tap.#server.listen(0, '127.0.0.1', resolve);
    });
    const address = tap.#server.address();
    if (address === null || typeof address === 'string') throw new Error('the tap has no port');
    tap.#origin = `http://127.0.0.1:${address.port}`;
    return tap;
  }

  /** Where clients connect instead of the server. */
  get origin(): string {
    return this.#origin;
  }

  #relay(client: Socket): void {
    const backend = netConnect({ host: this.upstream.hostname, port: Number(this.upstream.port) });
    const connection: Connection = { toServer: [], toServerOrder: [], toClient: [] };
    this.#connections.push(connection);
    client.on('data', (chunk: Buffer) => {
      connection.toServerOrder.push(this.#all.length);
      connection.toServer.push(this.#keep(chunk));
    });
    backend.on('data', (chunk: Buffer) => {
      connection.toClient.push(this.#keep(chunk));
    });
    for (const socket of [client, backend]) {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        backend.destroy();
      });
    }
    client.pipe(backend);
    backend.pipe(client);
  }

  #keep(chunk: Buffer): Buffer {
    const copy = Buffer.from(chunk);
    this.#all.push(copy);
    return copy;
  }

  /** Everything that crossed so far, both directions, in arrival order. */
  bytes(): Buffer {
    return Buffer.concat(this.#all);
  }

  /** Every request that crossed, with its response, read back from the bytes, in the order they arrived. */
  exchanges(): WireExchange[] {
    const ordered = this.#connections.flatMap(({ toServer, toServerOrder, toClient }) => {
      const responses = parseMessages(Buffer.concat(toClient)).map(asResponse);
      return parseMessages(Buffer.concat(toServer)).map((message, i) => ({
        order: orderAt(toServer, toServerOrder, message.offset),
        exchange: { request: asRequest(message), response: responses[i] },
      }));
    });
    return ordered.sort((a, b) => a.order - b.order).map(({ exchange }) => exchange);
  }

  /** The exchanges whose request line starts with `method path` (the query, if any, ignored). */
  find(method: string, path: string): WireExchange[] {
    return this.exchanges().filter(
      ({ request }) =>
        request.method === method && (request.target === path || request.target.startsWith(`${path}?`)),
    );
  }

  /** Fails if any of `values` crossed the wire, in either direction. */
  expectNoneOf(values: readonly string[]): void {
    const wire = this.bytes();
    expect(wire.length, 'the tap saw no traffic at all').toBeGreaterThan(0);
    for (const value of values) {
      expect(wire.includes(Buffer.from(value)), `"${value}" crossed the wire`).toBe(false);
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
