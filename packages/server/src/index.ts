/**
 * @cipherlayer/server: the engine, and the Web-standard adapter (Hono, Next
 * route handlers, Bun). Express, Fastify, Hono middleware and Prometheus
 * metrics are their own entry points: `@cipherlayer/server/express`,
 * `/fastify`, `/hono`, `/prometheus`.
 */

export { cipherlayerFetch, getCipherlayer, type WebCipherlayerOptions } from './adapters/web/handler.js';
export { getCipherlayerProfile } from './adapters/web/profile-request.js';
export { Cipherlayer } from './engine/cipherlayer.js';
export { createCipherlayer } from './engine/create.js';
export { type ErrorCode, type ErrorReply, errorReply } from './engine/errors.js';
export type { CipherlayerEvents, EventName, Listener } from './engine/events.js';
export type { CipherlayerExchange } from './engine/exchange.js';
export { guarded as failClosed } from './engine/guarded-stores.js';
export type { Logger } from './engine/logger.js';
export {
  MEDIA_TYPE,
  MEDIA_TYPE_JSON,
  MESSAGE_HEADER,
  type MessageForm,
  type ResponseEncoding,
} from './engine/media.js';
export type { CipherlayerOptions, KeyLoader } from './engine/options.js';
export type { Policy, PolicyChoice } from './engine/policy.js';
export { defineProfile, Profile } from './engine/profile.js';
export type { CipherlayerProfileExchange } from './engine/profile-exchange.js';
export type {
  EndpointAnswer,
  OpenedByProfile,
  ProfileEndpoint,
  ProfileIntake,
  ProfileRequest,
  ProfileSpec,
  ResponseSealer,
  SealedAnswer,
} from './engine/profile-spec.js';
export type { Protection } from './engine/protections.js';
export type { WellKnownPaths } from './engine/well-known.js';
