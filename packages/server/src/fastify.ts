/** Fastify 5: `app.register(cipherlayerFastify, { cipherlayer: engine })`. */
export { cipherlayerFastify, type FastifyCipherlayerOptions } from './adapters/fastify/plugin.js';
