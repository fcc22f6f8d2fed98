import { generateServerKey, runFlow, ServerKeySet } from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { cipherlayerFetch, createCipherlayer } from '@cipherlayer/server';

/**
 * A real cl1 server (@cipherlayer/server's Web-standard adapter) run
 * in-process: the client's `fetch` option calls it directly, and every
 * request and response that would cross the network is recorded.
 */
export const ORIGIN = 'https://bank.example';

async function app(request: Request): Promise<Response> {
  const url = new URL(request.url);
  switch (`${request.method} ${url.pathname}`) {
    case 'GET /api/balance':
      return Response.json({ balance: 'BAL-SECRET-9', page: url.searchParams.get('page') });
    case 'POST /api/transfer':
      return Response.json(
        { received: await request.json(), xsrf: request.headers.get('x-xsrf-token') },
        { status: 201, headers: { 'x-app': 'yes' } },
      );
    case 'GET /api/missing':
      return Response.json({ error: 'NO-SUCH-ACCOUNT' }, { status: 404 });
    case 'GET /api/text':
      return new Response('TEXT-SECRET', { headers: { 'content-type': 'text/plain' } });
    case 'GET /api/bytes':
      return new Response(new Uint8Array([1, 2, 3]), {
        headers: { 'content-type': 'application/octet-stream' },
      });
    case 'GET /api/failing':
      return new Response('upstream failed', { status: 500, headers: { 'content-type': 'text/plain' } });
    case 'GET /api/not-json':
      return new Response('NOT-JSON-SECRET', { headers: { 'content-type': 'application/json' } });
    default:
      return new Response(null, { status: 404 });
  }
}

function headerLines(headers: Headers): string {
  const lines: string[] = [];
  headers.forEach((value, name) => {
    lines.push(`${name}: ${value}`);
  });
  return lines.join('\n');
}

export interface WireRecord {
  readonly request: string;
  readonly response: string;
}

export function startCl1Server() {
  const keys = new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
  const serve = cipherlayerFetch(createCipherlayer({ keys }), app);
  const wire: WireRecord[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const sent = Buffer.from(await request.clone().arrayBuffer()).toString('latin1');
    const response = await serve(request);
    const received = Buffer.from(await response.clone().arrayBuffer()).toString('latin1');
    wire.push({
      request: `${request.method} ${request.url}\n${headerLines(request.headers)}\n${sent}`,
      response: `${response.status}\n${headerLines(response.headers)}\n${received}`,
    });
    return response;
  };
  return { fetch, wire };
}
