import type { ServerKeySet } from '@cipherlayer/core';
import type { Cipherlayer, CipherlayerExchange, CipherlayerOptions, Policy } from '../../src/index.js';
import { keySet } from './keys.js';

/**
 * One app, four ways: Express, Fastify, Hono middleware, and a Hono app
 * behind the Fetch API wrapper. Every test that is about behaviour rather
 * than one framework runs against all of them with the same routes:
 *
 * | route | policy | does |
 * | --- | --- | --- |
 * | POST /api/transfer | require | 201 {ok, to, amount} |
 * | GET /api/balance | require | 200 BALANCE |
 * | GET /api/public | optional | 200 {public: true} |
 * | POST /api/raw | off | 200 {contentType, length} of the raw body |
 * | POST /api/login | require | binds the session to {user}, 200 {bound} |
 * | POST /api/logout | require | revokes the session, 200 {revoked: true} |
 * | GET /api/empty | require | 204 |
 * | GET /api/large?bytes=N | require | N bytes of text/plain |
 * | PUT /api/echo | require | 200 {contentType, body} as the framework parsed it |
 */
export type AdapterName = 'express' | 'fastify' | 'hono' | 'fetch';
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify', 'hono', 'fetch'];

export const BALANCE = { account: 'DE89 3704 0044 0532 0130 00', balance: 2000.5, holder: 'Ada Lovelace' };

export function routePolicy(path: string): Policy {
  if (path === '/api/public') return 'optional';
  if (path === '/api/raw') return 'off';
  return 'require';
}

export interface WireRequest {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export interface WireResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** One run of a route handler: what the app saw. */
export interface Seen {
  route: string;
  method: string;
  body: unknown;
  contentType: string | undefined;
  exchange: CipherlayerExchange | undefined;
}

export interface StreamOptions {
  /** Send the body in chunks of this size, without a Content-Length. */
  chunkSize?: number;
  /** Send the headers only and never the body (a Content-Length that promises one). */
  withholdBody?: boolean;
}

export interface Harness {
  readonly name: AdapterName;
  readonly engine: Cipherlayer<never>;
  readonly seen: Seen[];
  send(request: WireRequest): Promise<WireResponse>;
  /** A request whose body streams (real sockets for Express and Fastify, a ReadableStream for Hono). */
  stream(request: WireRequest, options: StreamOptions): Promise<WireResponse>;
  close(): Promise<void>;
}

type EngineOptions = Omit<CipherlayerOptions<never>, 'keys' | 'sessionAttributes' | 'bindingTarget'>;

export type HarnessOptions = EngineOptions & {
  keys?: ServerKeySet;
  /** Session attributes taken from these request headers (those present). */
  attributeHeaders?: readonly string[];
  /** Bind to this prefix + the target received (a proxy that strips the prefix). */
  bindingPrefix?: string;
};

/** What each app file receives: the engine options (keys filled in) and the session-attribute headers. */
export interface AppSetup {
  options: EngineOptions & {
    keys: ServerKeySet;
    bindingTarget?: (request: unknown, target: string) => string;
  };
  attributeHeaders: readonly string[];
  seen: Seen[];
}

/** The attributes hook, from any framework's header lookup: header `x-user` gives attribute `user`. */
export function attributesFrom(
  names: readonly string[],
  header: (name: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = header(name);
    if (value !== undefined) out[name.replace(/^x-/, '')] = value;
  }
  return out;
}

/** Sends a wire request to an in-process `fetch` handler (Hono, cipherlayerFetch) and reads the whole answer. */
export async function sendThroughFetch(
  fetch: (request: Request) => Response | Promise<Response>,
  request: WireRequest,
): Promise<WireResponse> {
  const init: RequestInit = { method: request.method, headers: request.headers ?? {} };
  if (request.body !== undefined) init.body = request.body as BodyInit;
  const response = await fetch(new Request(`http://localhost${request.target}`, init));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return {
    status: response.status,
    headers: headerRecord(headers),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

export async function startHarness(name: AdapterName, options: HarnessOptions = {}): Promise<Harness> {
  const { attributeHeaders = [], keys, bindingPrefix, ...rest } = options;
  const setup: AppSetup = { options: { ...rest, keys: keys ?? keySet() }, attributeHeaders, seen: [] };
  if (bindingPrefix !== undefined) setup.options.bindingTarget = (_request, target) => bindingPrefix + target;
  switch (name) {
    case 'express':
      return (await import('./apps/express-app.js')).startExpress(setup);
    case 'fastify':
      return (await import('./apps/fastify-app.js')).startFastify(setup);
    case 'hono':
      return (await import('./apps/hono-app.js')).startHono(setup, 'middleware');
    case 'fetch':
      return (await import('./apps/hono-app.js')).startHono(setup, 'fetch');
  }
}

export function headerRecord(
  headers: Record<string, string | string[] | number | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
