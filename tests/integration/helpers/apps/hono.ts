import type { AddressInfo } from 'node:net';
import { cipherlayerFetch, createCipherlayer } from '@cipherlayer/server';
import { cipherlayerHono } from '@cipherlayer/server/hono';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  type Answer,
  account,
  attributesFrom,
  balance,
  type RunningServer,
  type Seen,
  type ServerSetup,
  transfer,
} from '../bank.js';

/**
 * Hono on @hono/node-server, a real socket, with the node-server defaults
 * (it replaces the global Request and Response with its own). `middleware`
 * mounts cipherlayerHono on every route; `fetch` wraps the whole app.fetch
 * in cipherlayerFetch, as a Next route handler or Bun would.
 */
export async function startHono(setup: ServerSetup, mode: 'middleware' | 'fetch'): Promise<RunningServer> {
  const { state, files = {} } = setup;
  const engine = createCipherlayer<Request>({
    ...setup.engine,
    keys: setup.keys,
    logger: setup.logs,
    sessionAttributes: (request) =>
      attributesFrom(setup.bindTo ?? [], (name) => request.headers.get(name) ?? undefined),
  });
  const seen: Seen[] = [];
  const send = (c: Context, answer: Answer) => c.json(answer.json, answer.status as ContentfulStatusCode);
  const policy = (request: Request) => (new URL(request.url).pathname in files ? 'off' : 'require');

  const app = new Hono();
  if (mode === 'middleware') app.use(cipherlayerHono(engine, { policy }));
  for (const [path, file] of Object.entries(files)) {
    app.get(path, (c) => c.body(file.body, 200, { 'content-type': file.contentType }));
  }
  app.post('/api/transfer', async (c) => {
    const body: unknown = await c.req.json();
    seen.push({ route: 'transfer', body });
    return send(c, transfer(state, body));
  });
  app.get('/api/balance', (c) => {
    seen.push({ route: 'balance', body: undefined });
    return send(c, balance(state));
  });
  app.get('/api/accounts/:id', (c) => {
    seen.push({ route: 'account', body: undefined });
    return send(c, account(state));
  });

  const fetch = mode === 'middleware' ? app.fetch : cipherlayerFetch(engine, app.fetch, { policy });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const listening = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({ server: listening, port: info.port }),
      );
    },
  );
  return {
    adapter: mode === 'middleware' ? 'hono' : 'fetch',
    origin: `http://127.0.0.1:${port}`,
    engine,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
