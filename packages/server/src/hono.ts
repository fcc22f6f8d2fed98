/** Hono middleware: `app.use(cipherlayerHono(engine))`. For `app.fetch`, see `cipherlayerFetch`. */

export { getCipherlayer, type WebCipherlayerOptions } from './adapters/web/handler.js';
export { cipherlayerHono, type HonoContextLike, type HonoMiddleware } from './adapters/web/hono.js';
export { getCipherlayerProfile } from './adapters/web/profile-request.js';
