import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CipherlayerError,
  type ErrorCode,
  errorRegistry,
  fromBase64Url,
  generateServerKey,
  maxJsonMessageLength,
  parseJsonMessage,
  runFlow,
  ServerKeySet,
  ServerProtocol,
  type ServerProtocolOptions,
  toJsonMessage,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';

/**
 * A TEST DOUBLE of @cipherlayer/server, for the client's tests until the
 * real adapters exist: spec/http.md on node:http with core's ServerProtocol,
 * every application route `require`. It records every request as it
 * arrived (method, target, raw headers, body bytes) and every response it
 * sent, and can be told to answer the next requests with a cipherlayer
 * error or any other response instead.
 */

const BINARY = 'application/cipherlayer';
const JSON_TYPE = 'application/cipherlayer+json';
export const DISCOVERY_PATH = '/.well-known/cipherlayer';
export const SESSION_PATH = '/.well-known/cipherlayer/session';

export interface AppRequest {
  method: string;
  target: string;
  contentType: string;
  body: Uint8Array;
}
export interface AppResponse {
  status?: number;
  contentType?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}
export type App = (request: AppRequest) => AppResponse;

export interface Exchange {
  method: string;
  target: string;
  rawHeaders: string[];
  body: Buffer;
  response?: { status: number; headers: Record<string, string>; body: Buffer };
}

/** An answer given instead of the normal processing. */
type Override = (response: ServerResponse) => void;

export interface ServerDoubleOptions extends Partial<Omit<ServerProtocolOptions, 'backend'>> {
  app?: App;
  /** Values sessions are bound to, read from each request (as @cipherlayer/server's `sessionAttributes`). */
  sessionAttributes?: (request: IncomingMessage) => Record<string, string>;
  /** Static files (path → content), for a browser page on the same origin. */
  files?: Record<string, { contentType: string; body: string }>;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const essence = (value: string | undefined) => (value ?? '').split(';', 1)[0]!.trim().toLowerCase();

/** Default app: echoes what it got, as JSON, with status 200. */
const echo: App = (request) => ({
  contentType: 'application/json',
  body: JSON.stringify({
    method: request.method,
    target: request.target,
    contentType: request.contentType,
    body: text(request.body),
  }),
});

export class ServerDouble {
  readonly exchanges: Exchange[] = [];
  protocol: ServerProtocol;
  app: App;
  readonly #files: NonNullable<ServerDoubleOptions['files']>;
  readonly #attributes: ServerDoubleOptions['sessionAttributes'];
  readonly #overrides: { path: string | undefined; respond: Override }[] = [];
  readonly #server = createServer((req, res) => {
    this.#handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : undefined);
    });
  });

  private constructor(options: ServerDoubleOptions) {
    const { app, files, sessionAttributes, ...protocolOptions } = options;
    const keys =
      protocolOptions.keys ?? new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
    this.protocol = new ServerProtocol({ ...protocolOptions, backend: nodeBackend, keys });
    this.app = app ?? echo;
    this.#files = files ?? {};
    this.#attributes = sessionAttributes;
  }

  static async start(options: ServerDoubleOptions = {}): Promise<ServerDouble> {
    const double = new ServerDouble(options);
    await new Promise<void>((resolve) => double.#server.listen(0, '127.0.0.1', resolve));
    return double;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Requests that reached `method path` (path without query unless the query is given). */
  count(method: string, path: string): number {
    return this.exchanges.filter(
      (e) => e.method === method && (e.target === path || e.target.startsWith(`${path}?`)),
    ).length;
  }

  /** The next `times` requests (to `path`, or to any path) get `respond` instead of normal processing. */
  override(respond: Override, times = 1, path?: string): void {
    for (let i = 0; i < times; i++) this.#overrides.push({ path, respond });
  }

  /** The next `times` requests (to `path`) get the cipherlayer error `code`, with `date` as Date header if given. */
  failNext(code: ErrorCode, options: { times?: number; path?: string; date?: string } = {}): void {
    this.override(
      (res) => {
        if (options.date !== undefined) res.setHeader('date', options.date);
        this.#sendError(res, new CipherlayerError(code));
      },
      options.times ?? 1,
      options.path,
    );
  }

  /** How many overrides are still waiting for a request. */
  get pendingOverrides(): number {
    return this.#overrides.length;
  }

  /** Simulates a restart of a server with in-memory sessions: same keys, every session gone. */
  restart(): void {
    this.protocol = new ServerProtocol({ backend: nodeBackend, keys: this.protocol.keys });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const exchange: Exchange = { method, target, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
    this.exchanges.push(exchange);
    this.#record(res, exchange);

    const path = target.split('?', 1)[0]!;
    const overrideAt = this.#overrides.findIndex((o) => o.path === undefined || o.path === path);
    if (overrideAt >= 0) {
      const [override] = this.#overrides.splice(overrideAt, 1);
      override!.respond(res);
      return;
    }
    const file = this.#files[path];
    if (method === 'GET' && file !== undefined) {
      res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' }).end(file.body);
      return;
    }
    if (method === 'GET' && path === DISCOVERY_PATH) {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' })
        .end(JSON.stringify(await this.protocol.discovery()));
      return;
    }
    try {
      await this.#cl1(req, res, method, target, exchange.body);
    } catch (error) {
      this.#sendError(res, error instanceof CipherlayerError ? error : new CipherlayerError('ERR_INTERNAL'));
    }
  }

  async #cl1(req: IncomingMessage, res: ServerResponse, method: string, target: string, body: Buffer) {
    const header = req.headers.cipherlayer;
    const type = essence(req.headers['content-type']);
    if (typeof header === 'string' && body.length > 0) throw new CipherlayerError('ERR_MALFORMED');
    if (typeof header !== 'string' && type !== BINARY && type !== JSON_TYPE)
      throw new CipherlayerError('ERR_PLAINTEXT_REJECTED');
    const json = typeof header === 'string' ? essence(req.headers.accept) === JSON_TYPE : type === JSON_TYPE;
    const message =
      typeof header === 'string'
        ? fromBase64Url(header)
        : type === JSON_TYPE
          ? parseJsonMessage(text(body), maxJsonMessageLength(this.protocol.limits))
          : new Uint8Array(body);
    const binding = { method, target };
    const send = (status: number, sealed: Uint8Array) => {
      res.writeHead(status, {
        'content-type': json ? JSON_TYPE : BINARY,
        'cache-control': 'no-store',
        vary: 'Cipherlayer, Content-Type',
      });
      res.end(json ? JSON.stringify(toJsonMessage(sealed)) : sealed);
    };
    const path = target.split('?', 1)[0];
    const attributes = this.#attributes?.(req) ?? {};
    if (path === SESSION_PATH && method === 'POST') {
      send(200, (await this.protocol.handshake(message, binding, attributes)).response);
      return;
    }
    const opened = await this.protocol.openRequest(message, binding, { attributes });
    if (path === SESSION_PATH && method === 'DELETE') {
      if (opened.kind !== 'session') throw new CipherlayerError('ERR_MALFORMED');
      await this.protocol.revokeSession(opened.sessionId);
      send(200, await opened.sealResponse({ status: 200, contentType: '', body: new Uint8Array(0) }));
      return;
    }
    const answer = this.app({ method, target, contentType: opened.contentType, body: opened.body });
    const status = answer.status ?? 200;
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    const plain = typeof answer.body === 'string' ? new TextEncoder().encode(answer.body) : answer.body;
    send(
      status,
      await opened.sealResponse({
        status,
        contentType: answer.contentType ?? '',
        body: plain ?? new Uint8Array(0),
      }),
    );
  }

  #sendError(res: ServerResponse, error: CipherlayerError): void {
    res
      .writeHead(errorRegistry[error.code].status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      })
      .end(JSON.stringify(error.toJSON()));
  }

  /** Keeps a copy of what the response carried, for assertions on both directions of the wire. */
  #record(res: ServerResponse, exchange: Exchange): void {
    const headers: Record<string, string> = {};
    const writeHead = res.writeHead.bind(res) as (
      status: number,
      head?: Record<string, string>,
    ) => ServerResponse;
    (res as { writeHead: typeof writeHead }).writeHead = (status, head) => {
      for (const [name, value] of Object.entries(head ?? {})) headers[name.toLowerCase()] = value;
      return writeHead(status, head);
    };
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    (res as { end: typeof end }).end = (chunk) => {
      for (const [name, value] of Object.entries(res.getHeaders())) headers[name] = String(value);
      const body = chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk as string | Uint8Array);
      exchange.response = { status: res.statusCode, headers, body };
      return end(chunk);
    };
  }
}
