import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CipherlayerError, fromJsonMessage, type ServerProtocol, toJsonMessage } from '@cipherlayer/core';

/**
 * A bare node:http server speaking cl1 with the core protocol object, so the
 * example needs no framework. The framework adapters (Express, Fastify,
 * Web-standard handlers) do the same work in @cipherlayer/server.
 */
export const DISCOVERY_PATH = '/.well-known/cipherlayer';
export const HANDSHAKE_PATH = '/.well-known/cipherlayer/session';
export const CL1_CONTENT_TYPE = 'application/cipherlayer';

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) throw new CipherlayerError('ERR_TOO_LARGE');
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** The app itself: plain JSON in, plain JSON out; it never sees ciphertext. */
function application(method: string, url: string, body: unknown): { status: number; json: unknown } {
  if (method === 'POST' && url === '/api/transfer') {
    const { amount, to } = body as { amount: number; to: string };
    return { status: 201, json: { transferId: 'tr_0042', amount, to, balanceAfter: 1875.5 } };
  }
  if (method === 'GET' && url === '/api/balance')
    return { status: 200, json: { account: 'DE89 3704 0044 0532 0130 00', balance: 2000.5 } };
  return { status: 404, json: { error: 'not found' } };
}

export function startServer(protocol: ServerProtocol, log: (line: string) => void): Promise<Server> {
  const server = createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    try {
      if (method === 'GET' && target === DISCOVERY_PATH) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(await protocol.discovery()));
        return;
      }
      const wire = await readBody(req, 4 * 1024 * 1024);
      const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
      const message = isJson ? fromJsonMessage(JSON.parse(new TextDecoder().decode(wire))) : wire;
      if (target === HANDSHAKE_PATH) {
        const { response } = await protocol.handshake(message, { method, target });
        res.writeHead(200, { 'content-type': CL1_CONTENT_TYPE }).end(response);
        return;
      }
      const opened = await protocol.openRequest(message, { method, target });
      const plain = opened.body.length > 0 ? JSON.parse(new TextDecoder().decode(opened.body)) : undefined;
      log(`  server app sees: ${method} ${target} ${JSON.stringify(plain ?? null)}`);
      const result = application(method, target, plain);
      const sealed = await opened.sealResponse({
        status: result.status,
        contentType: 'application/json',
        body: new TextEncoder().encode(JSON.stringify(result.json)),
      });
      if (isJson) {
        res
          .writeHead(result.status, { 'content-type': 'application/json' })
          .end(JSON.stringify(toJsonMessage(sealed)));
      } else {
        res.writeHead(result.status, { 'content-type': CL1_CONTENT_TYPE }).end(sealed);
      }
    } catch (error) {
      const failure = error instanceof CipherlayerError ? error : new CipherlayerError('ERR_INTERNAL');
      res
        .writeHead(failure.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(failure.toJSON()));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
