import { type Context, Hono } from 'hono';
import { cipherlayerHono } from '../../../src/hono.js';
import { cipherlayerFetch, createCipherlayer, getCipherlayer } from '../../../src/index.js';
import {
  type AppSetup,
  attributesFrom,
  BALANCE,
  type Harness,
  headerRecord,
  routePolicy,
} from '../harness.js';

/** The body as Hono handlers usually read it. */
async function bodyOf(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('json')) return await c.req.json();
  if (type.startsWith('text/')) return await c.req.text();
  if (type === 'application/x-www-form-urlencoded')
    return Object.fromEntries(new URLSearchParams(await c.req.text()));
  const bytes = await c.req.arrayBuffer();
  return bytes.byteLength === 0 ? undefined : `bytes:${bytes.byteLength}`;
}

export async function startHono(setup: AppSetup, mode: 'middleware' | 'fetch'): Promise<Harness> {
  const { seen, attributeHeaders } = setup;
  const engine = createCipherlayer<Request>({
    ...setup.options,
    sessionAttributes: (request) =>
      attributesFrom(attributeHeaders, (name) => request.headers.get(name) ?? undefined),
  });
  const app = new Hono();
  const policy = (request: Request) => routePolicy(new URL(request.url).pathname);
  if (mode === 'middleware') app.use('*', cipherlayerHono(engine, { policy }));
  const record = async (route: string, c: Context): Promise<unknown> => {
    const body = c.req.method === 'GET' || route === 'raw' ? undefined : await bodyOf(c);
    seen.push({
      route,
      method: c.req.method,
      body,
      contentType: c.req.header('content-type'),
      exchange: getCipherlayer(c.req.raw),
    });
    return body;
  };
  app.post('/api/transfer', async (c) => {
    const body = (await record('transfer', c)) as { to?: string; amount?: number };
    return c.json({ ok: true, to: body.to, amount: body.amount }, 201);
  });
  app.get('/api/balance', async (c) => {
    await record('balance', c);
    return c.json(BALANCE);
  });
  app.get('/api/public', async (c) => {
    await record('public', c);
    return c.json({ public: true });
  });
  app.post('/api/raw', async (c) => {
    await record('raw', c);
    return c.json({
      contentType: c.req.header('content-type'),
      length: (await c.req.arrayBuffer()).byteLength,
    });
  });
  app.post('/api/login', async (c) => {
    const body = (await record('login', c)) as { user: string };
    return c.json({ bound: await getCipherlayer(c.req.raw)?.bindSession({ user: String(body.user) }) });
  });
  app.post('/api/logout', async (c) => {
    await record('logout', c);
    await getCipherlayer(c.req.raw)?.revokeSession();
    return c.json({ revoked: true });
  });
  app.get('/api/empty', async (c) => {
    await record('empty', c);
    return c.body(null, 204);
  });
  app.get('/api/large', async (c) => {
    await record('large', c);
    return c.text('x'.repeat(Number(c.req.query('bytes'))));
  });
  app.put('/api/echo', async (c) => {
    const body = await record('echo', c);
    return c.json({ contentType: c.req.header('content-type'), body });
  });
  const fetch = mode === 'middleware' ? app.fetch : cipherlayerFetch(engine, app.fetch, { policy });
  const respond = async (response: Response) => {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return {
      status: response.status,
      headers: headerRecord(headers),
      body: Buffer.from(await response.arrayBuffer()),
    };
  };
  return {
    name: mode === 'middleware' ? 'hono' : 'fetch',
    engine,
    seen,
    async send(request) {
      const url = `http://localhost${request.target}`;
      const init: RequestInit = { method: request.method, headers: request.headers ?? {} };
      if (request.body !== undefined) init.body = request.body as BodyInit;
      return await respond(
        mode === 'middleware' ? await app.request(url, init) : await fetch(new Request(url, init)),
      );
    },
    async stream(request, options) {
      const bytes =
        typeof request.body === 'string'
          ? new TextEncoder().encode(request.body)
          : (request.body ?? new Uint8Array());
      let offset = 0;
      const size = options.chunkSize ?? bytes.length;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Withheld: the stream never yields, as a client that sends headers and stalls.
          if (options.withholdBody) return new Promise<void>(() => {});
          if (offset >= bytes.length) {
            controller.close();
            return undefined;
          }
          controller.enqueue(bytes.slice(offset, offset + size));
          offset += size;
          return undefined;
        },
      });
      const init = {
        method: request.method,
        headers: request.headers ?? {},
        body,
        duplex: 'half',
      } as RequestInit;
      const url = `http://localhost${request.target}`;
      return await respond(
        mode === 'middleware' ? await app.request(url, init) : await fetch(new Request(url, init)),
      );
    },
    close: async () => {},
  };
}
