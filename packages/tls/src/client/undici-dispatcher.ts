import { Agent } from 'undici';
import { integerInRange } from '../lib/options.js';
import { type ClientTlsOptions, checkClientTlsOptions } from './client-options.js';

export interface FetchDispatcherOptions extends ClientTlsOptions {
  /** Connections per origin (default: no limit, as undici). */
  readonly connections?: number;
}

/**
 * An undici `Agent` that verifies servers against `ca` (always: a
 * `rejectUnauthorized: false` is refused) and presents the client
 * certificate when given one. Pass it as `dispatcher` to undici's `fetch`
 * or `request`. This file is the only one of the package that loads undici.
 */
export function createFetchDispatcher(options: FetchDispatcherOptions = {}): Agent {
  const where = 'createFetchDispatcher';
  const connect = checkClientTlsOptions(where, options, ['connections']);
  const connections = options?.connections;
  return new Agent({
    connect,
    ...(connections === undefined
      ? {}
      : { connections: integerInRange(`${where} connections`, connections, 1, 65_536) }),
  });
}
