import type { AddressInfo } from 'node:net';
import {
  ClientProtocol,
  fromJsonMessage,
  generateServerKey,
  runFlow,
  ServerKeySet,
  ServerProtocol,
  toBase64Url,
  toJsonMessage,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { CL1_CONTENT_TYPE, DISCOVERY_PATH, HANDSHAKE_PATH, startServer } from './server.js';

/**
 * cl1 end to end on embedded defaults: an in-memory server key, in-memory
 * sessions, a real HTTP server on 127.0.0.1. Prints what crosses the
 * network next to what the application code on each side sees.
 */
const print = (line = '') => process.stdout.write(`${line}\n`);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const preview = (bytes: Uint8Array) => {
  const text = toBase64Url(bytes);
  return text.length > 72
    ? `${text.slice(0, 72)}… (${bytes.length} bytes)`
    : `${text} (${bytes.length} bytes)`;
};

const key = runFlow(nodeBackend, generateServerKey({ keyId: 1 }));
const protocol = new ServerProtocol({ backend: nodeBackend, keys: new ServerKeySet([key]) });
const server = await startServer(protocol, print);
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

print(`cipherlayer cl1 demo — server on ${base} (in-memory key and sessions)`);
const discovery = await (await fetch(base + DISCOVERY_PATH)).json();
const client = await ClientProtocol.create({ backend: nodeBackend, discovery });
print(`server key ${client.key.keyId}, pin ${client.key.pin}`);

print('\n1. Stateless request (one HPKE exchange per request), binary encoding');
const transfer = { amount: 125.5, to: 'FR76 3000 6000 0112 3456 7890 189' };
print(`  client app sends: POST /api/transfer ${JSON.stringify(transfer)}`);
const sealed = await client.sealRequest(
  { method: 'POST', target: '/api/transfer' },
  { contentType: 'application/json', body: encoder.encode(JSON.stringify(transfer)) },
);
print(`  on the wire →    ${CL1_CONTENT_TYPE}: ${preview(sealed.message)}`);
const reply = await fetch(`${base}/api/transfer`, {
  method: 'POST',
  headers: { 'content-type': CL1_CONTENT_TYPE },
  body: sealed.message,
});
const replyBytes = new Uint8Array(await reply.arrayBuffer());
print(`  on the wire ←    ${reply.status} ${preview(replyBytes)}`);
const opened = await sealed.openResponse(replyBytes, reply.status);
print(`  client app gets: ${decoder.decode(opened.body)}`);

print('\n2. Session: one handshake, then symmetric-only requests (JSON encoding)');
const hello = await client.startHandshake({ method: 'POST', target: HANDSHAKE_PATH });
const grant = await fetch(base + HANDSHAKE_PATH, {
  method: 'POST',
  headers: { 'content-type': CL1_CONTENT_TYPE },
  body: hello.message,
});
const session = await hello.finish(new Uint8Array(await grant.arrayBuffer()), grant.status);
print(
  `  handshake done: session ${toBase64Url(session.sessionId)}, expires ${new Date(session.grant.expiresAt).toISOString()}`,
);
for (const [n, amount] of [
  [1, 10],
  [2, 20],
] as const) {
  const body = { amount, to: 'GB33 BUKB 2020 1555 5555 55' };
  print(`  client app sends: POST /api/transfer ${JSON.stringify(body)}`);
  const request = await session.sealRequest(
    { method: 'POST', target: '/api/transfer' },
    { contentType: 'application/json', body: encoder.encode(JSON.stringify(body)) },
  );
  const wire = JSON.stringify(toJsonMessage(request.message));
  print(`  on the wire →    application/json (message ${n}): ${wire}`);
  const response = await fetch(`${base}/api/transfer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: wire,
  });
  const text = await response.text();
  print(`  on the wire ←    ${response.status} ${text}`);
  const plain = await request.openResponse(fromJsonMessage(JSON.parse(text)), response.status);
  print(`  client app gets: ${decoder.decode(plain.body)}`);
}

print('\n3. The same session message sent twice: the replay is refused');
const once = await session.sealRequest(
  { method: 'POST', target: '/api/transfer' },
  { contentType: 'application/json', body: encoder.encode('{"amount":1,"to":"x"}') },
);
for (const attempt of ['first', 'replay']) {
  const response = await fetch(`${base}/api/transfer`, {
    method: 'POST',
    headers: { 'content-type': CL1_CONTENT_TYPE },
    body: once.message,
  });
  print(
    `  ${attempt}: HTTP ${response.status} ${attempt === 'replay' ? await response.text() : '(sealed response)'}`,
  );
}
server.close();
