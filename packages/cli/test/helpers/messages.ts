import {
  ClientProtocol,
  type ClientProtocol as ClientProtocolType,
  generateServerKey,
  runFlow,
  ServerKeySet,
  ServerProtocol,
  toJsonMessage,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';

export interface Messages {
  readonly keySet: ServerKeySet;
  readonly request: Uint8Array;
  readonly response: Uint8Array;
  readonly handshake: Uint8Array;
  readonly handshakeResponse: Uint8Array;
  readonly session: Uint8Array;
  readonly sessionResponse: Uint8Array;
  readonly requestBody: string;
}

export const BINDING = { method: 'POST', target: '/api/transfer?x=1' } as const;

/** One message of each cl1 type, made by the real client and server protocol objects. */
export async function makeMessages(keyId = 7): Promise<Messages> {
  const key = runFlow(nodeBackend, generateServerKey({ keyId, notAfter: Date.now() + 86_400_000 }));
  const keySet = new ServerKeySet([key]);
  const server = new ServerProtocol({ backend: nodeBackend, keys: keySet });
  const client: ClientProtocolType = await ClientProtocol.create({
    backend: nodeBackend,
    discovery: await server.discovery(),
  });
  const requestBody = '{"amount":125.5,"to":"DE89 3704"}';
  const sealed = await client.sealRequest(BINDING, {
    contentType: 'application/json',
    body: new TextEncoder().encode(requestBody),
  });
  const opened = await server.openRequest(sealed.message, BINDING);
  const response = await opened.sealResponse({
    status: 200,
    contentType: 'application/json',
    body: new TextEncoder().encode('{"ok":true}'),
  });

  const handshakeBinding = { method: 'POST', target: '/.well-known/cipherlayer/session' };
  const hello = await client.startHandshake(handshakeBinding);
  const accepted = await server.handshake(hello.message, handshakeBinding);
  const session = await hello.finish(accepted.response, 200);
  const sessionRequest = await session.sealRequest(
    { method: 'GET', target: '/api/accounts' },
    { contentType: '', body: new Uint8Array() },
  );
  const openedSession = await server.openRequest(sessionRequest.message, {
    method: 'GET',
    target: '/api/accounts',
  });
  const sessionResponse = await openedSession.sealResponse({
    status: 200,
    contentType: 'text/plain',
    body: new TextEncoder().encode('hi'),
  });

  return {
    keySet,
    request: sealed.message,
    response,
    handshake: hello.message,
    handshakeResponse: accepted.response,
    session: sessionRequest.message,
    sessionResponse,
    requestBody,
  };
}

export const asJson = (message: Uint8Array) => JSON.stringify(toJsonMessage(message));
export const asBase64Url = (message: Uint8Array) => Buffer.from(message).toString('base64url');
