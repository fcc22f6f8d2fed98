import {
  ClientProtocol,
  type ClientSession,
  generateServerKey,
  type RequestBinding,
  runFlow,
  type ServerKey,
  ServerKeySet,
  ServerProtocol,
  type ServerProtocolOptions,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { webCryptoBackend } from '@cipherlayer/core/webcrypto';

/** What every group exchanges: a 1 KiB JSON body each way, on one bound route. */
export const BODY_BYTES = 1024;
export const binding: RequestBinding = { method: 'POST', target: '/api/transfers?account=1' };
export const handshakeBinding: RequestBinding = {
  method: 'POST',
  target: '/.well-known/cipherlayer/session',
};
export const contentType = 'application/json';

function jsonBody(size: number): Uint8Array {
  const head = '{"note":"';
  const tail = '"}';
  return new TextEncoder().encode(head + 'x'.repeat(size - head.length - tail.length) + tail);
}

export const body = jsonBody(BODY_BYTES);
export const request = { contentType, body } as const;
export const response = { status: 200, contentType, body } as const;

/**
 * With nodeBackend every protocol call answers synchronously; this unwraps
 * the MaybePromise so the timed loop has no promise in it, and says so
 * loudly if that ever stops being true.
 */
export function now<T>(value: T | Promise<T>): T {
  if (value instanceof Promise) throw new Error('expected a synchronous result from the node:crypto backend');
  return value;
}

export interface Cl1Fixture {
  readonly server: ServerProtocol;
  readonly key: ServerKey;
  readonly nodeClient: ClientProtocol;
  readonly webClient: ClientProtocol;
}

/** A node:crypto server with one X25519 key, and a client on each backend that discovered it. */
export async function cl1Fixture(options: Partial<ServerProtocolOptions> = {}): Promise<Cl1Fixture> {
  const key = runFlow(nodeBackend, generateServerKey({ keyId: 1 }));
  const server = new ServerProtocol({ ...options, backend: nodeBackend, keys: new ServerKeySet([key]) });
  const discovery = await server.discovery();
  const nodeClient = await ClientProtocol.create({ backend: nodeBackend, discovery });
  const webClient = await ClientProtocol.create({ backend: webCryptoBackend, discovery });
  return { server, key, nodeClient, webClient };
}

/** One handshake: a session between `client` (either backend) and the node:crypto server. */
export async function openSession(server: ServerProtocol, client: ClientProtocol): Promise<ClientSession> {
  const hello = await client.startHandshake(handshakeBinding);
  const accepted = await server.handshake(hello.message, handshakeBinding);
  return await hello.finish(accepted.response, 200);
}

export { nodeBackend, webCryptoBackend };
