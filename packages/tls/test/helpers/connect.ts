import { type Agent, request } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { type ConnectionOptions, connect } from 'node:tls';

const sockets = new WeakMap<Server, Set<Socket>>();

export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  const open = new Set<Socket>();
  sockets.set(server, open);
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, host, done));
  return (server.address() as AddressInfo).port;
}

/** Closes a server and the connections it still holds (they would hold close() open). */
export function close(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    for (const socket of sockets.get(server) ?? []) socket.destroy();
  });
}

export type Outcome =
  | {
      readonly ok: true;
      readonly protocol: string | null;
      readonly body: string;
      readonly headers: Record<string, unknown>;
      readonly status: number;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** A raw TLS connection that writes one HTTP request and reads the whole answer. */
export function tlsRequest(port: number, options: ConnectionOptions): Promise<Outcome> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
    let data = '';
    let protocol: string | null = null;
    socket.once('secureConnect', () => {
      protocol = socket.getProtocol();
      socket.write('GET / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      done({ ok: false, code: error.code ?? 'ERROR', message: error.message });
    });
    socket.once('end', () => {
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      if (status === 0)
        done({ ok: false, code: 'NO_RESPONSE', message: 'connection closed without a response' });
      else done({ ok: true, protocol, body: data.slice(data.indexOf('\r\n\r\n') + 4), headers: {}, status });
    });
  });
}

/** An https GET through an Agent (as axios would use it). */
export function httpsGet(url: string, agent: Agent): Promise<Outcome> {
  return new Promise((done) => {
    const req = request(url, { agent }, (res) => {
      const protocol = (res.socket as { getProtocol?: () => string | null }).getProtocol?.() ?? null;
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () =>
        done({
          ok: true,
          protocol,
          body,
          headers: res.headers,
          status: res.statusCode ?? 0,
        }),
      );
    });
    req.once('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, code: error.code ?? 'ERROR', message: error.message }),
    );
    req.end();
  });
}
