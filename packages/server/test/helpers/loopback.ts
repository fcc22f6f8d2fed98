import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerRecord, type WireRequest, type WireResponse } from './harness.js';

export interface LoopbackOptions {
  /** Send the body with Transfer-Encoding: chunked, in chunks of this size. */
  chunkSize?: number;
  /** Do not send a body at all (a lying Content-Length, say); resolves with the first answer. */
  withholdBody?: boolean;
}

/** A real HTTP/1.1 request on 127.0.0.1: every header exactly as given, nothing added but Host. */
export function sendLoopback(
  server: Server,
  request: WireRequest,
  options: LoopbackOptions = {},
): Promise<WireResponse> {
  const { port } = server.address() as AddressInfo;
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? Buffer.from(request.body)
        : Buffer.from(request.body);
  const headers: Record<string, string> = { ...request.headers };
  const chunked = options.chunkSize !== undefined;
  if (body !== undefined && !chunked && headers['content-length'] === undefined)
    headers['content-length'] = String(body.length);
  if (chunked) headers['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: request.method, path: request.target, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: headerRecord(res.headers),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer and close before the whole body is written: that is the point of some tests.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.withholdBody || body === undefined) {
      if (options.withholdBody) req.flushHeaders();
      else req.end();
      return;
    }
    if (!chunked) {
      req.end(body);
      return;
    }
    const size = options.chunkSize as number;
    let offset = 0;
    const pump = (): void => {
      while (offset < body.length) {
        const next = body.subarray(offset, offset + size);
        offset += size;
        if (!req.write(next)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

export function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
