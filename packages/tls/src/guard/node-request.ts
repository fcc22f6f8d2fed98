import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ArrivalFacts } from './transport-guard.js';

/** How a node:http request arrived: its socket, and the one header the guard reads. */
export function nodeArrival(req: IncomingMessage): ArrivalFacts {
  const header = req.headers['x-forwarded-proto'];
  return {
    encrypted: (req.socket as Partial<TLSSocket>).encrypted === true,
    remoteAddress: req.socket.remoteAddress,
    forwardedProto: Array.isArray(header) ? header.join(', ') : header,
  };
}
