import type { AddressInfo } from 'node:net';
import { createClient } from '@cipherlayer/client';
import { generateServerKey, runFlow, ServerKeySet, toBase64Url } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { createCipherlayer } from '@cipherlayer/server';
import { cipherlayerFastify } from '@cipherlayer/server/fastify';
import Fastify from 'fastify';

/**
 * cl1 end to end on embedded defaults: an in-memory server key, in-memory
 * sessions, a Fastify server on 127.0.0.1 with the cipherlayer plugin, and
 * @cipherlayer/client in Node. Prints what crosses the network next to what
 * the application code on each side sees.
 */
const print = (line = '') => process.stdout.write(`${line}\n`);
const excerpt = (text: string, size: number) =>
  text.length > 72 ? `${text.slice(0, 72)}… (${size} bytes)` : `${text} (${size} bytes)`;
const wireView = (bytes: Uint8Array, contentType: string) =>
  contentType.includes('json')
    ? excerpt(new TextDecoder().decode(bytes), bytes.length)
    : excerpt(toBase64Url(bytes), bytes.length);

// ---- the server: Fastify routes written as if there were no encryption ----
const keys = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
const engine = createCipherlayer({ keys });
const app = Fastify();
await app.register(cipherlayerFastify, { cipherlayer: engine }); // every route: cl1 required
app.post('/api/transfer', async (request, reply) => {
  const kind = request.cipherlayer?.kind;
  print(`  server app sees: ${kind} ${JSON.stringify(request.body)}`);
  return reply
    .code(201)
    .send({ transferId: 'tr_8f2c', status: 'booked', to: (request.body as { to: string }).to });
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

// ---- the client: a fetch that logs the bytes it sends and receives ----
let last: { url: string; init: RequestInit } | undefined;
const wiretap: typeof fetch = async (input, init = {}) => {
  const url = String(input instanceof Request ? input.url : input);
  const headers = new Headers(init.headers);
  const body =
    init.body === undefined || init.body === null
      ? undefined
      : new Uint8Array(await new Response(init.body).arrayBuffer());
  const sent: RequestInit = { ...init };
  if (body === undefined) delete sent.body;
  else sent.body = body;
  last = { url, init: sent };
  const header = headers.get('cipherlayer');
  const shown =
    header === null
      ? body === undefined
        ? '(no body)'
        : wireView(body, headers.get('content-type') ?? '')
      : `Cipherlayer: ${excerpt(header, header.length)}`;
  print(
    `  on the wire →    ${init.method ?? 'GET'} ${new URL(url).pathname} ${headers.get('content-type') ?? ''} ${shown}`,
  );
  const response = await fetch(url, sent);
  const bytes = new Uint8Array(await response.clone().arrayBuffer());
  print(
    `  on the wire ←    ${response.status} ${response.headers.get('content-type') ?? ''} ${wireView(bytes, response.headers.get('content-type') ?? '')}`,
  );
  return response;
};

print(`cipherlayer cl1 demo — Fastify on ${base} (in-memory key and sessions)`);
const discovery = (await (await fetch(`${base}/.well-known/cipherlayer`)).json()) as {
  keys: { pin: string }[];
};
print(`server key pin (what a client pins): ${discovery.keys[0]?.pin}`);

const send = async (api: ReturnType<typeof createClient>, body: object) => {
  print(`  client app sends: POST /api/transfer ${JSON.stringify(body)}`);
  const response = await api('/api/transfer', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  print(`  client app gets: ${response.status} ${await response.text()}`);
};

print('\n1. Stateless: one HPKE exchange per request, binary encoding');
const stateless = createClient({
  baseUrl: base,
  mode: 'stateless',
  fetch: wiretap,
  pins: [discovery.keys[0]?.pin as string],
});
await send(stateless, { amount: 125.5, to: 'FR76 3000 6000 0112 3456 7890 189' });

print('\n2. Session: one handshake, then AES-GCM only per request (JSON encoding)');
const session = createClient({ baseUrl: base, mode: 'session', encoding: 'json', fetch: wiretap });
await send(session, { amount: 10, to: 'GB33 BUKB 2020 1555 5555 55' });
await send(session, { amount: 20, to: 'GB33 BUKB 2020 1555 5555 55' });

print('\n3. The last message sent again, byte for byte: the replay is refused');
const replay = await fetch(last?.url as string, last?.init);
print(`  replay: HTTP ${replay.status} ${await replay.text()}`);

print('\n4. Plaintext to a route that requires cl1 is refused before the handler runs');
const plain = await fetch(`${base}/api/transfer`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"amount":1}',
});
print(`  plaintext: HTTP ${plain.status} ${await plain.text()}`);

await session.logout();
await app.close();
