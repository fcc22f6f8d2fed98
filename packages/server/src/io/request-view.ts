import type { IncomingHttpHeaders } from 'node:http';
import { declaresBody } from '../engine/media.js';
import type { ProfileRequest } from '../engine/profile-spec.js';

/** A profile's view of a Node.js request (Express, Fastify). */
export function nodeRequestView(
  method: string,
  target: string,
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
): ProfileRequest {
  return {
    method,
    target,
    remoteAddress,
    hasBody: declaresBody(headers['content-length'], headers['transfer-encoding']),
    header(name: string): string | undefined {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** A profile's view of a Fetch API request. The Fetch API knows no peer address. */
export function webRequestView(request: Request, target: string): ProfileRequest {
  const { headers } = request;
  return {
    method: request.method,
    target,
    remoteAddress: undefined,
    hasBody:
      declaresBody(
        headers.get('content-length') ?? undefined,
        headers.get('transfer-encoding') ?? undefined,
      ) ||
      (request.body !== null && headers.get('content-length') === null),
    header: (name: string) => headers.get(name) ?? undefined,
  };
}
