import {
  CipherlayerError,
  ClientProtocol,
  type ClientSession,
  generateServerKey,
  type ReplayCache,
  runFlow,
  ServerKeySet,
  ServerProtocol,
  type SessionOptions,
  type SessionStore,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { expect } from 'vitest';

export const HANDSHAKE_BINDING = { method: 'POST', target: '/.well-known/cipherlayer/session' };
export const API_BINDING = { method: 'POST', target: '/api/transfer' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function json(value: unknown) {
  return { contentType: 'application/json', body: encoder.encode(JSON.stringify(value)) };
}

export function serverKeys(): ServerKeySet {
  return new ServerKeySet([runFlow(nodeBackend, generateServerKey({ keyId: 1 }))]);
}

export interface InstanceStores {
  sessions: SessionStore;
  replayCache: ReplayCache;
}

/** One server instance: the same key set as its peers, its own stores (usually its own Redis connection). */
export function serverInstance(keys: ServerKeySet, stores: InstanceStores, session?: SessionOptions) {
  return new ServerProtocol({
    backend: nodeBackend,
    keys,
    sessions: stores.sessions,
    replayCache: stores.replayCache,
    ...(session === undefined ? {} : { session }),
  });
}

export async function clientFor(server: ServerProtocol): Promise<ClientProtocol> {
  return await ClientProtocol.create({ backend: nodeBackend, discovery: await server.discovery() });
}

export async function handshake(
  client: ClientProtocol,
  server: ServerProtocol,
  attributes: Record<string, string> = {},
): Promise<ClientSession> {
  const hello = await client.startHandshake(HANDSHAKE_BINDING);
  const accepted = await server.handshake(hello.message, HANDSHAKE_BINDING, attributes);
  return await hello.finish(accepted.response, 200);
}

/** A full session exchange: seal, open at `server`, answer, open the answer. Returns the answer's body. */
export async function sessionCall(
  session: ClientSession,
  server: ServerProtocol,
  value: unknown,
  attributes?: Record<string, string>,
): Promise<unknown> {
  const sealed = await session.sealRequest(API_BINDING, json(value));
  const opened = await server.openRequest(
    sealed.message,
    API_BINDING,
    attributes === undefined ? {} : { attributes },
  );
  const reply = await opened.sealResponse({ status: 200, ...json({ echo: decode(opened.body) }) });
  return decode((await sealed.openResponse(reply, 200)).body);
}

export async function statelessCall(client: ClientProtocol, server: ServerProtocol, value: unknown) {
  const sealed = await client.sealRequest(API_BINDING, json(value));
  const opened = await server.openRequest(sealed.message, API_BINDING);
  const reply = await opened.sealResponse({ status: 200, ...json({ echo: decode(opened.body) }) });
  return decode((await sealed.openResponse(reply, 200)).body);
}

export function decode(body: Uint8Array): unknown {
  return JSON.parse(decoder.decode(body));
}

/** Runs `action` (sync throws included) and asserts it fails with `code`; returns the error. */
export async function expectCode(action: () => unknown, code: string): Promise<CipherlayerError> {
  const error = await Promise.resolve()
    .then(action)
    .then(
      () => undefined,
      (failure: unknown) => failure,
    );
  expect(error).toBeInstanceOf(CipherlayerError);
  expect((error as CipherlayerError).code).toBe(code);
  return error as CipherlayerError;
}
