/** Express 5: `app.use(cipherlayer(engine))`. */
export {
  cipherlayer,
  type ExpressCipherlayerOptions,
} from './adapters/express/middleware.js';
export type { BodyParseError } from './adapters/express/plaintext-request.js';
