import { Agent } from 'node:https';
import { booleanOption, integerInRange } from '../lib/options.js';
import { type ClientTlsOptions, checkClientTlsOptions } from './client-options.js';

export interface ClientAgentOptions extends ClientTlsOptions {
  /** Reuse connections (default true). */
  readonly keepAlive?: boolean;
  /** Sockets per host (default Infinity, as Node). */
  readonly maxSockets?: number;
}

/**
 * A `node:https` Agent that verifies servers against `ca` and presents a
 * client certificate when given one: pass it as `agent` to https.request,
 * or as `httpsAgent` to axios.
 */
export function createClientAgent(options: ClientAgentOptions = {}): Agent {
  const where = 'createClientAgent';
  const tls = checkClientTlsOptions(where, options, ['keepAlive', 'maxSockets']);
  return new Agent({
    ...tls,
    keepAlive: booleanOption(`${where} keepAlive`, options.keepAlive, true),
    ...(options.maxSockets === undefined
      ? {}
      : { maxSockets: integerInRange(`${where} maxSockets`, options.maxSockets, 1, 65_536) }),
  });
}
