import { request } from 'node:http';

export interface PlainResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A plain-HTTP GET to 127.0.0.1, from a chosen loopback source address (127.0.0.2 is not the proxy). */
export function plainGet(
  port: number,
  options: { localAddress?: string; headers?: Record<string, string | string[]> } = {},
): Promise<PlainResponse> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
        headers: options.headers ?? {},
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.once('error', fail);
    req.end();
  });
}
