/**
 * The page's side of the cross-open runs: a cl1 server and a cl1 client on
 * the Web Crypto backend, whose peer is Node on node:crypto. Their live
 * objects stay in the page; messages and bodies cross as base64url.
 */
import { webCryptoBackend } from '../../src/backends/webcrypto.js';
import type { RequestBinding } from '../../src/cl1/binding.js';
import { ClientProtocol, type ClientSession, type SealedClientRequest } from '../../src/cl1/client.js';
import { type OpenedRequest, ServerProtocol } from '../../src/cl1/server.js';
import {
  type DiscoveryDocument,
  importServerKeySet,
  type PrivateKeySetDocument,
} from '../../src/keys/key-set.js';
import { equalBytes, fromBase64Url, toBase64Url } from '../../src/lib/bytes.js';
import { type Flow, runFlow } from '../../src/lib/flow.js';

const web = <T>(flow: Flow<T>): Promise<T> => Promise.resolve(runFlow(webCryptoBackend, flow));

export interface WireBody {
  contentType: string;
  /** base64url */
  body: string;
}

export interface WireResponse extends WireBody {
  status: number;
}

export interface OpenedReport extends WireBody {
  kind: OpenedRequest['kind'];
  /** The session counter; null for a stateless request. */
  counter: number | null;
  /** The sealed response, base64url. */
  response: string;
}

/** The live objects of the page's side of a cross-open run. */
const peer: {
  server: ServerProtocol | undefined;
  client: ClientProtocol | undefined;
  handshake:
    | { finish(response: Uint8Array, status: number): ClientSession | Promise<ClientSession> }
    | undefined;
  session: ClientSession | undefined;
  pending: Map<number, SealedClientRequest>;
  nextId: number;
} = {
  server: undefined,
  client: undefined,
  handshake: undefined,
  session: undefined,
  pending: new Map(),
  nextId: 0,
};

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} has not been started in the page`);
  return value;
}

/** The plaintext check made in the page; Node makes the same check on what it opens. */
function expectBody(what: string, expected: WireBody, contentType: string, body: Uint8Array): void {
  if (contentType !== expected.contentType) throw new Error(`${what}: content type ${contentType}`);
  if (!equalBytes(body, fromBase64Url(expected.body))) throw new Error(`${what}: plaintext bytes differ`);
}

function track(sealed: SealedClientRequest): { id: number; message: string } {
  const id = peer.nextId++;
  peer.pending.set(id, sealed);
  return { id, message: toBase64Url(sealed.message) };
}

/** The page as server: imports the private key set Node generated. Returns its discovery document. */
export async function serverStart(document: PrivateKeySetDocument): Promise<DiscoveryDocument> {
  const keys = await web(importServerKeySet(document));
  peer.server = new ServerProtocol({ backend: webCryptoBackend, keys });
  return await peer.server.discovery();
}

/** Opens a stateless or session request, checks its plaintext, and seals `respond` as the response. */
export async function serverOpen(input: {
  message: string;
  binding: RequestBinding;
  expect: WireBody;
  respond: WireResponse;
}): Promise<OpenedReport> {
  const server = required(peer.server, 'the server');
  const opened = await server.openRequest(fromBase64Url(input.message), input.binding);
  expectBody(`${opened.kind} request`, input.expect, opened.contentType, opened.body);
  const response = await opened.sealResponse({
    status: input.respond.status,
    contentType: input.respond.contentType,
    body: fromBase64Url(input.respond.body),
  });
  return {
    kind: opened.kind,
    counter: opened.kind === 'session' ? opened.counter : null,
    contentType: opened.contentType,
    body: toBase64Url(opened.body),
    response: toBase64Url(response),
  };
}

export async function serverHandshake(input: {
  message: string;
  binding: RequestBinding;
}): Promise<{ response: string; sessionId: string }> {
  const server = required(peer.server, 'the server');
  const result = await server.handshake(fromBase64Url(input.message), input.binding);
  return { response: toBase64Url(result.response), sessionId: toBase64Url(result.sessionId) };
}

/** The page as client of a Node server, from that server's discovery document. */
export async function clientStart(discovery: DiscoveryDocument): Promise<{ keyId: number; pin: string }> {
  peer.client = await ClientProtocol.create({ backend: webCryptoBackend, discovery });
  peer.pending.clear();
  peer.session = undefined;
  return { keyId: peer.client.key.keyId, pin: peer.client.key.pin };
}

export async function clientSealRequest(input: {
  binding: RequestBinding;
  request: WireBody;
}): Promise<{ id: number; message: string }> {
  const client = required(peer.client, 'the client');
  const request = { contentType: input.request.contentType, body: fromBase64Url(input.request.body) };
  return track(await client.sealRequest(input.binding, request));
}

export async function clientStartHandshake(input: { binding: RequestBinding }): Promise<{ message: string }> {
  const hello = await required(peer.client, 'the client').startHandshake(input.binding);
  peer.handshake = hello;
  return { message: toBase64Url(hello.message) };
}

export async function clientFinishHandshake(input: {
  response: string;
  status: number;
}): Promise<{ sessionId: string }> {
  const handshake = required(peer.handshake, 'a handshake');
  peer.handshake = undefined;
  peer.session = await handshake.finish(fromBase64Url(input.response), input.status);
  return { sessionId: toBase64Url(peer.session.sessionId) };
}

export async function clientSessionSealRequest(input: {
  binding: RequestBinding;
  request: WireBody;
}): Promise<{ id: number; message: string; counter: number }> {
  const session = required(peer.session, 'a session');
  const counter = session.nextCounter;
  const request = { contentType: input.request.contentType, body: fromBase64Url(input.request.body) };
  return { ...track(await session.sealRequest(input.binding, request)), counter };
}

/** Opens the response to request `id` (stateless or session) and checks its plaintext. */
export async function clientOpenResponse(input: {
  id: number;
  message: string;
  status: number;
  expect: WireBody;
}): Promise<WireBody> {
  const sealed = required(peer.pending.get(input.id), `request ${input.id}`);
  peer.pending.delete(input.id);
  const opened = await sealed.openResponse(fromBase64Url(input.message), input.status);
  expectBody('response', input.expect, opened.contentType, opened.body);
  return { contentType: opened.contentType, body: toBase64Url(opened.body) };
}
