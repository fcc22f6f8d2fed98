/**
 * Runs in Chromium, bundled with esbuild (browser.ts): the page times its
 * own requests with performance.now(): plain `fetch`, and @cipherlayer/client
 * (Web Crypto) in session and stateless mode, to the server that served it.
 * Each call of `run` makes `count` requests one after the other and answers
 * the milliseconds they took, response bodies read and parsed.
 */
import { createClient } from '@cipherlayer/client';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const transports: Record<string, Fetch> = {
  plaintext: (input, init) => fetch(input, init),
  'cl1 session': createClient({ baseUrl: location.origin, mode: 'session' }),
  'cl1 stateless': createClient({ baseUrl: location.origin, mode: 'stateless' }),
};

function transportOf(name: string): Fetch {
  const transport = transports[name];
  if (transport === undefined) throw new Error(`no transport named ${name}`);
  return transport;
}

function init(method: 'GET' | 'POST', body: string): RequestInit | undefined {
  return method === 'GET'
    ? undefined
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

/** One request; its answer's text, for the bench to check. */
async function check(transport: string, method: 'GET' | 'POST', path: string, body: string): Promise<string> {
  const response = await transportOf(transport)(path, init(method, body));
  if (response.status !== 200) throw new Error(`${transport} ${method}: status ${response.status}`);
  return await response.text();
}

/** `count` requests in sequence; the milliseconds they took in all. */
async function run(
  transport: string,
  method: 'GET' | 'POST',
  path: string,
  body: string,
  count: number,
): Promise<number> {
  const send = transportOf(transport);
  const options = init(method, body);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const response = await send(path, options);
    if (response.status !== 200) throw new Error(`${transport} ${method}: status ${response.status}`);
    await response.json();
  }
  return performance.now() - start;
}

(globalThis as Record<string, unknown>).benchPage = { run, check };
