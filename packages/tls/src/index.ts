/**
 * @cipherlayer/tls: TLS in transit (seed 003) with secure defaults. HTTPS
 * servers and Fastify options, mutual TLS with verified peer identities,
 * client agents that always verify, a guard that refuses plaintext in
 * production, and short-lived development certificates. The undici
 * dispatcher is the separate entry `@cipherlayer/tls/undici`.
 */
export { type ClientAgentOptions, createClientAgent } from './client/client-agent.js';
export {
  type ClientTlsOptions,
  clientTlsOptions,
  REJECT_UNAUTHORIZED_REFUSED,
} from './client/client-options.js';
export { fetchDispatcherOptions } from './client/fetch-dispatcher.js';
export {
  createDevCertificates,
  type DevCertificates,
  type DevCertificatesOptions,
} from './dev-certificates/dev-certificates.js';
export {
  type CreateDevCaOptions,
  createDevCa,
  DEFAULT_CA_DAYS,
  DEFAULT_HOSTS,
  DEFAULT_LEAF_DAYS,
  type DevCa,
  type IssueDevCertificateOptions,
  type IssuedCertificate,
  issueDevCertificate,
} from './dev-certificates/issue.js';
export type { NodeMiddleware } from './guard/express.js';
export type { FastifyOnRequestHook, FastifyReplyLike, FastifyRequestLike } from './guard/fastify.js';
export { type TransportGuard, transportGuard } from './guard/index.js';
export { REFUSAL_BODY, REFUSAL_CODE, REFUSAL_STATUS } from './guard/refusal.js';
export {
  type ArrivalFacts,
  type TransportGuardOptions,
  TransportPolicy,
  type Verdict,
} from './guard/transport-guard.js';
export type { WebConnection, WebGuard, WebVerdict } from './guard/web.js';
export type { PemInput } from './lib/pem.js';
export { type ConnectionSource, type PeerIdentity, peerIdentity } from './peer-identity.js';
export { CIPHERS, ECDH_CURVES, TLS12_CIPHERS, TLS13_CIPHER_SUITES, type TlsVersion } from './policy.js';
export { type CreateSecureServerOptions, createSecureServer } from './server/create-server.js';
export { type HstsOptions, ONE_YEAR_SECONDS } from './server/hsts.js';
export { type SecureServerOptions, secureServerOptions } from './server/server-options.js';
