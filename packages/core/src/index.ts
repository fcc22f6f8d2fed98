export { CipherlayerError, type ErrorCode, errorRegistry, isCipherlayerError } from './lib/errors.js';
