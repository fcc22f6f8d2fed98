import { REFUSAL_BODY, REFUSAL_HEADERS, REFUSAL_STATUS } from './refusal.js';
import type { TransportPolicy } from './transport-guard.js';

/**
 * What a Web-standard runtime knows of the connection, which `Request` does
 * not carry: whether this server's socket is TLS and who the peer is
 * (@hono/node-server: `c.env.incoming.socket`; Deno: `info.remoteAddr`).
 */
export interface WebConnection {
  readonly encrypted: boolean;
  readonly remoteAddress: string | undefined;
}

export type WebVerdict =
  | { readonly allowed: true; readonly headers: Readonly<Record<string, string>> }
  | { readonly allowed: false; readonly response: Response };

export type WebGuard = (request: Request, connection: WebConnection) => WebVerdict;

/** The check for Web-standard handlers: a refusal Response, or the headers to add to yours. */
export function webGuard(policy: TransportPolicy): WebGuard {
  return (request, connection) => {
    const verdict = policy.decide({
      encrypted: connection.encrypted,
      remoteAddress: connection.remoteAddress,
      forwardedProto: request.headers.get('x-forwarded-proto') ?? undefined,
    });
    if (verdict.allowed) return { allowed: true, headers: verdict.headers };
    return {
      allowed: false,
      response: new Response(REFUSAL_BODY, {
        status: REFUSAL_STATUS,
        // A Response gets no Date header by itself; spec/http.md asks for one on errors.
        headers: { ...REFUSAL_HEADERS, date: new Date().toUTCString() },
      }),
    };
  };
}
