import type { ConnectionOptions } from 'node:tls';
import { type ClientTlsOptions, checkClientTlsOptions } from './client-options.js';

/**
 * Node's global fetch cannot take TLS options. With the `undici` package,
 * these options make a dispatcher that verifies servers against `ca` and
 * presents the client certificate:
 *
 *   import { Agent, fetch } from 'undici';
 *   const dispatcher = new Agent(fetchDispatcherOptions({ ca, cert, key }));
 *   await fetch(url, { dispatcher });
 *
 * (undici's own `fetch`: a dispatcher from another undici version than the
 * one inside Node is not guaranteed to work with the global fetch.)
 */
export function fetchDispatcherOptions(options: ClientTlsOptions = {}): { connect: ConnectionOptions } {
  return { connect: checkClientTlsOptions('fetchDispatcherOptions', options) };
}
