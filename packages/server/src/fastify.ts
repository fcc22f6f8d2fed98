/** Fastify 5: `app.register(cipherlayerFastify, { cipherlayer: engine })`. */
export {
  cipherlayerFastify,
  type FastifyCipherlayerOptions,
  type RouteCipherlayer,
} from './adapters/fastify/plugin.js';
