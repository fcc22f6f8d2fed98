/** The Web Crypto backend: browsers, workers, Deno, Bun. */
export { webCryptoBackend } from './backends/webcrypto.js';
