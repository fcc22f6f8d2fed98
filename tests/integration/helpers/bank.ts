import type { ServerKeySet } from '@cipherlayer/core';
import type { Cipherlayer, CipherlayerOptions } from '@cipherlayer/server';
import type { CapturingLogger } from './capturing-logger.js';

/**
 * The application every server runs, the same on each adapter; route
 * handlers are written as the framework's users write them, and know
 * nothing of cipherlayer. Every route is `require`, except static files.
 *
 * | route | answers |
 * | --- | --- |
 * | POST /api/transfer | 201 `{received, confirmation}`; 422 `{problem, memo}` when `amount` is not a number |
 * | GET /api/balance | 200 `{balance}` |
 * | GET /api/accounts/:id | 404 `{problem, reference}` |
 * | GET (a static file) | the file, policy `off` (a page for the browser) |
 *
 * The values the server answers with come from `BankState`, set by each
 * test to values of its own; what the handlers received is in `seen`.
 */
export interface BankState {
  balance: string;
  confirmation: string;
  reference: string;
}

export interface Seen {
  route: 'transfer' | 'balance' | 'account';
  body: unknown;
}

export interface Answer {
  status: number;
  json: unknown;
}

export function transfer(state: BankState, body: unknown): Answer {
  const { amount, memo } = (body ?? {}) as { amount?: unknown; memo?: unknown };
  if (typeof amount !== 'number') return { status: 422, json: { problem: 'amount must be a number', memo } };
  return { status: 201, json: { received: body, confirmation: state.confirmation } };
}

export function balance(state: BankState): Answer {
  return { status: 200, json: { balance: state.balance } };
}

export function account(state: BankState): Answer {
  return { status: 404, json: { problem: 'no such account', reference: state.reference } };
}

export interface StaticFile {
  contentType: string;
  body: string;
}

export type AdapterName = 'express' | 'fastify' | 'hono' | 'fetch';
/** Express 5 middleware, the Fastify 5 plugin, the Hono middleware and the Fetch wrapper (on @hono/node-server). */
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify', 'hono', 'fetch'];

/** The engine options a test may set; keys and logger are always given. */
export type EngineOptions = Pick<
  CipherlayerOptions,
  'session' | 'clock' | 'sessionStore' | 'replayCache' | 'storeTimeoutMs' | 'maxSkewMs'
>;

export interface ServerSetup {
  keys: ServerKeySet;
  state: BankState;
  /** Gets every line the server logs: cipherlayer's, and on Fastify the framework's own (pino, trace level). */
  logs: CapturingLogger;
  engine?: EngineOptions;
  files?: Readonly<Record<string, StaticFile>>;
  /** Request headers sessions are bound to (`sessionAttributes`): `x-device-id` gives attribute `device-id`. */
  bindTo?: readonly string[];
}

/** The `sessionAttributes` hook over any framework's header lookup. */
export function attributesFrom(
  names: readonly string[],
  header: (name: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) out[name.replace(/^x-/, '')] = header(name) ?? '';
  return out;
}

export interface RunningServer {
  readonly adapter: AdapterName;
  /** `http://127.0.0.1:<port>`: a real socket. */
  readonly origin: string;
  readonly engine: Cipherlayer<never>;
  readonly seen: Seen[];
  close(): Promise<void>;
}

export async function startServer(adapter: AdapterName, setup: ServerSetup): Promise<RunningServer> {
  switch (adapter) {
    case 'express':
      return (await import('./apps/express.js')).startExpress(setup);
    case 'fastify':
      return (await import('./apps/fastify.js')).startFastify(setup);
    case 'hono':
      return (await import('./apps/hono.js')).startHono(setup, 'middleware');
    case 'fetch':
      return (await import('./apps/hono.js')).startHono(setup, 'fetch');
  }
}
