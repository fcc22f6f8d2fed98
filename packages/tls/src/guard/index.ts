import { expressGuard, type NodeMiddleware } from './express.js';
import { type FastifyOnRequestHook, fastifyGuard } from './fastify.js';
import { type TransportGuardOptions, TransportPolicy } from './transport-guard.js';
import { type WebGuard, webGuard } from './web.js';

export interface TransportGuard {
  readonly policy: TransportPolicy;
  /** `app.use(guard.express)` */
  readonly express: NodeMiddleware;
  /** `app.addHook('onRequest', guard.fastify)` */
  readonly fastify: FastifyOnRequestHook;
  /** `const verdict = guard.web(request, { encrypted, remoteAddress })` */
  readonly web: WebGuard;
}

/**
 * Refuses, in production, every request that did not arrive over TLS: either
 * on this server's own TLS socket, or through a trusted proxy that says
 * `X-Forwarded-Proto: https`. Refusals are cipherlayer's standard error,
 * `403 ERR_TLS_REQUIRED` with a JSON body, never a redirect: a redirect
 * would teach API clients that plain HTTP works, after their request (and
 * its credentials) already crossed the network.
 */
export function transportGuard(options: TransportGuardOptions = {}): TransportGuard {
  const policy = new TransportPolicy(options);
  return { policy, express: expressGuard(policy), fastify: fastifyGuard(policy), web: webGuard(policy) };
}
