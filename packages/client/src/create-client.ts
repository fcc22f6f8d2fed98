import { EncryptedTransport } from './encrypted-transport.js';
import { type ClientOptions, resolveOptions } from './options.js';
import { prepareRequest } from './outgoing-request.js';

/**
 * A `fetch` that speaks cl1 to one origin. Call it as you would call
 * `fetch`: plaintext goes in, and the Response has the server's status and
 * headers, the decrypted body, and the inner content type. Failures of
 * cipherlayer reject with a CipherlayerError; nothing is ever sent in the
 * clear.
 */
export interface CipherlayerFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Session mode: revokes the session on the server and forgets it. Stateless mode: nothing to do. */
  logout(): Promise<void>;
}

/**
 * Checks the options now (a mistake is an ERR_CONFIG naming the option);
 * keys are discovered and the session handshaken on the first request.
 */
export function createClient(options: ClientOptions): CipherlayerFetch {
  const resolved = resolveOptions(options);
  const transport = new EncryptedTransport(resolved);
  const cipherFetch = async (input: RequestInfo | URL, init?: RequestInit) =>
    await transport.send(await prepareRequest(input, init, resolved.base, resolved.limits));
  return Object.assign(cipherFetch, { logout: () => transport.logout() });
}
