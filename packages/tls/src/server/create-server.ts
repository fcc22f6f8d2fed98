import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { configError, isProductionEnvironment, stringList } from '../lib/options.js';
import { identityMatches, peerIdentity } from '../peer-identity.js';
import { type HstsOptions, hstsHeaderValue } from './hsts.js';
import { checkServerTlsOptions, type SecureServerOptions } from './server-options.js';

export interface CreateSecureServerOptions extends SecureServerOptions {
  /**
   * Mutual TLS only: the client identities accepted, matched against the
   * certificate's subject alternative names (DNS names, URIs such as SPIFFE
   * ids, IP addresses, emails). A verified client that is not listed is
   * disconnected before any request is read. Without it, any client with a
   * certificate from `clientCa` is accepted; authorize per route with
   * `peerIdentity(req)`.
   */
  readonly allowedClients?: readonly string[];
  /** Strict-Transport-Security on every response; default on (one year) when NODE_ENV=production. */
  readonly hsts?: HstsOptions | false;
  /** Overrides NODE_ENV for the HSTS default. */
  readonly production?: boolean;
}

/**
 * An HTTPS server with the package's TLS policy, optional mutual TLS with an
 * allow-list of client identities, and HSTS. `listener` is any request
 * handler: an Express app, or Fastify's through `serverFactory`.
 */
export function createSecureServer(
  options: CreateSecureServerOptions,
  listener?: RequestListener<typeof IncomingMessage, typeof ServerResponse>,
): Server {
  const where = 'createSecureServer';
  const tls = checkServerTlsOptions(where, options, ['allowedClients', 'hsts', 'production']);
  if (options.production !== undefined && typeof options.production !== 'boolean')
    throw configError(`${where} production must be true or false`);
  const hsts = hstsHeaderValue(where, options.hsts, options.production ?? isProductionEnvironment());
  let allowed: ReadonlySet<string> | undefined;
  if (options.allowedClients !== undefined) {
    if (options.clientCa === undefined)
      throw configError(
        `${where} allowedClients needs clientCa: identities come from verified client certificates`,
      );
    allowed = new Set(stringList(`${where} allowedClients`, options.allowedClients));
  }

  const server = createServer(tls);
  if (allowed !== undefined) {
    const names = allowed;
    server.on('secureConnection', (socket: TLSSocket) => {
      const identity = peerIdentity(socket);
      if (identity === undefined || !identityMatches(identity, names)) socket.destroy();
    });
  }
  // Registered before the application's listener, so the header is set before it writes.
  if (hsts !== undefined)
    server.on('request', (_req, res: ServerResponse) => res.setHeader('strict-transport-security', hsts));
  if (listener !== undefined) server.on('request', listener);
  return server;
}
