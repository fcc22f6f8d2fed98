import type { ConnectionOptions } from 'node:tls';
import { type ClientTlsOptions, checkClientTlsOptions } from './client-options.js';

/**
 * The checked `{ connect }` options for an undici Agent, Pool or Client made
 * with your own undici (`@cipherlayer/tls/undici` makes the Agent for you):
 *
 *   import { Agent, fetch } from 'undici';
 *   const dispatcher = new Agent(fetchDispatcherOptions({ ca, cert, key }));
 *   await fetch(url, { dispatcher });
 *
 * Use undici's own `fetch`: a dispatcher from another undici major than the
 * one inside Node is not reliably accepted by the global fetch.
 */
export function fetchDispatcherOptions(options: ClientTlsOptions = {}): { connect: ConnectionOptions } {
  return { connect: checkClientTlsOptions('fetchDispatcherOptions', options) };
}
