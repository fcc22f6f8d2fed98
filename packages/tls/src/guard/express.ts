import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeArrival } from './node-request.js';
import { REFUSAL_BODY, REFUSAL_STATUS, type TransportPolicy } from './transport-guard.js';

export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** Express (or Connect, or any `(req, res, next)` stack) middleware. */
export function expressGuard(policy: TransportPolicy): NodeMiddleware {
  return (req, res, next) => {
    const verdict = policy.decide(nodeArrival(req));
    if (!verdict.allowed) {
      res.statusCode = REFUSAL_STATUS;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(REFUSAL_BODY);
      return;
    }
    for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
    next();
  };
}
