import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeArrival } from './node-request.js';
import { REFUSAL_BYTES, REFUSAL_HEADERS, REFUSAL_STATUS } from './refusal.js';
import type { TransportPolicy } from './transport-guard.js';

export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** Express (or Connect, or any `(req, res, next)` stack, or a bare node:http handler) middleware. */
export function expressGuard(policy: TransportPolicy): NodeMiddleware {
  return (req, res, next) => {
    const verdict = policy.decide(nodeArrival(req));
    if (!verdict.allowed) {
      res.statusCode = REFUSAL_STATUS;
      for (const [name, value] of Object.entries(REFUSAL_HEADERS)) res.setHeader(name, value);
      res.setHeader('content-length', REFUSAL_BYTES.length);
      res.end(REFUSAL_BYTES);
      return;
    }
    for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
    next();
  };
}
