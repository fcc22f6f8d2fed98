import { createClient } from '@cipherlayer/client';
import {
  ClientProtocol,
  type ClientSession,
  type RequestBinding,
  type RequestParts,
  type SealedClientRequest,
  toBase64Url,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { now } from '../fixtures.js';
import { DOCUMENT_BYTES, DOCUMENT_JSON, documentJson, ECHO_PATH, GET_PATH } from './document.js';
import { Rotation } from './rotation.js';
import {
  expectStatus,
  expectText,
  fetchBody,
  type LoadRequest,
  type RequestSource,
  type RequestVariation,
  VerificationError,
} from './source.js';

/**
 * cl1 requests for the load generator, sealed before each run by a
 * node:crypto ClientProtocol that discovered the server's key over HTTP, and
 * sent exactly as @cipherlayer/client sends them (spec/http.md): a GET
 * carries its message base64url in the `Cipherlayer` header, a POST in an
 * `application/cipherlayer` body. Each message is sent once.
 */

const MEDIA_TYPE = 'application/cipherlayer';
const MESSAGE_HEADER = 'cipherlayer';
const DISCOVERY_PATH = '/.well-known/cipherlayer';
/** The handshake endpoint (engine.paths.session with no prefix). */
export const SESSION_PATH = '/.well-known/cipherlayer/session';

const EMPTY: RequestParts = { contentType: '', body: new Uint8Array(0) };
const echoRequests = new Map<number, RequestParts>();

/** The POST body of `bytes`: the document padded, as JSON. */
function echoRequest(bytes: number): RequestParts {
  let parts = echoRequests.get(bytes);
  if (parts === undefined) {
    parts = { contentType: 'application/json', body: new TextEncoder().encode(documentJson(bytes)) };
    echoRequests.set(bytes, parts);
  }
  return parts;
}

/** What a cl1 source sends: a GET, or a POST of a body of `bytes`. */
export interface Cl1Request {
  readonly exchange: Cl1Exchange;
  readonly bytes: number;
}

const expected = (request: Cl1Request) =>
  request.exchange === 'GET' ? DOCUMENT_JSON : documentJson(request.bytes);
const HANDSHAKE_BINDING: RequestBinding = { method: 'POST', target: SESSION_PATH };

export type Cl1Exchange = 'GET' | 'POST';

const BINDINGS: Record<Cl1Exchange, RequestBinding> = {
  GET: { method: 'GET', target: GET_PATH },
  POST: { method: 'POST', target: ECHO_PATH },
};

const TEMPLATES: Record<Cl1Exchange, LoadRequest> = {
  GET: { method: 'GET', path: GET_PATH, headers: { accept: MEDIA_TYPE } },
  POST: { method: 'POST', path: ECHO_PATH, headers: { 'content-type': MEDIA_TYPE, accept: MEDIA_TYPE } },
};

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

interface Sealed {
  readonly variation: RequestVariation;
  readonly sealed: SealedClientRequest;
}

/** One request, sealed statelessly (a ClientProtocol) or in a session. */
function seal(sealer: ClientProtocol | ClientSession, { exchange, bytes }: Cl1Request): Sealed {
  const sealed = now(sealer.sealRequest(BINDINGS[exchange], exchange === 'GET' ? EMPTY : echoRequest(bytes)));
  const variation: RequestVariation =
    exchange === 'GET'
      ? { headers: { ...TEMPLATES.GET.headers, [MESSAGE_HEADER]: toBase64Url(sealed.message) } }
      : { body: asBuffer(sealed.message) };
  return { variation, sealed };
}

async function discover(origin: string): Promise<ClientProtocol> {
  const response = await fetch(`${origin}${DISCOVERY_PATH}`);
  expectStatus(response.status, 200, 'cl1 discovery');
  return await ClientProtocol.create({ backend: nodeBackend, discovery: await response.json() });
}

function handshakeRequest(protocol: ClientProtocol) {
  return now(protocol.startHandshake(HANDSHAKE_BINDING));
}

async function postHandshake(origin: string, message: Uint8Array): Promise<Response> {
  return await fetch(`${origin}${SESSION_PATH}`, {
    method: 'POST',
    headers: { 'content-type': MEDIA_TYPE, accept: MEDIA_TYPE },
    body: fetchBody(message),
  });
}

async function handshake(origin: string, protocol: ClientProtocol): Promise<ClientSession> {
  const hello = handshakeRequest(protocol);
  const response = await postHandshake(origin, hello.message);
  expectStatus(response.status, 200, 'cl1 handshake');
  return await hello.finish(new Uint8Array(await response.arrayBuffer()), response.status);
}

/** Sends one prepared request as the load generator would, and opens its answer. */
async function probe(origin: string, request: Cl1Request, { variation, sealed }: Sealed, what: string) {
  const template = TEMPLATES[request.exchange];
  const response = await fetch(`${origin}${template.path}`, {
    method: template.method,
    headers: variation.headers ?? template.headers,
    ...(variation.body === undefined ? {} : { body: fetchBody(variation.body) }),
  });
  expectStatus(response.status, 200, what);
  if (response.headers.get('content-type') !== MEDIA_TYPE)
    throw new VerificationError(`${what}: the answer is not a cl1 message`);
  const opened = await sealed.openResponse(new Uint8Array(await response.arrayBuffer()), response.status);
  expectText(new TextDecoder().decode(opened.body), expected(request), what);
}

/** The real client (@cipherlayer/client, fetch-compatible) gets the document through the server. */
async function checkWithClient(origin: string, mode: 'session' | 'stateless', request: Cl1Request) {
  const api = createClient({ baseUrl: origin, mode, backend: nodeBackend });
  const what = `@cipherlayer/client ${mode} ${request.exchange} (${request.bytes} bytes)`;
  const response =
    request.exchange === 'GET'
      ? await api(GET_PATH)
      : await api(ECHO_PATH, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: expected(request),
        });
  expectStatus(response.status, 200, what);
  expectText(await response.text(), expected(request), what);
}

/** Sources whose every request is a fresh message from `sealOne`, prepared in a list before each run. */
function singleUse(
  template: LoadRequest,
  sealOne: () => RequestVariation,
  verify: (origin: string) => Promise<void>,
): RequestSource {
  const messages = new Rotation<RequestVariation>(false);
  return {
    template,
    next: () => messages.take(),
    prepare: (count) => {
      messages.load(Array.from({ length: count }, sealOne));
    },
    get overruns() {
      return messages.overruns;
    },
    verify,
  };
}

/**
 * Session requests from `sessions` sessions handshaken over HTTP before the
 * run, taken in turn: a session's counters reach the server in order but for
 * the few requests in flight on other connections, well inside its replay
 * window (128 by default).
 */
export async function cl1SessionSource(
  origin: string,
  request: Cl1Request,
  sessions: number,
): Promise<RequestSource> {
  const protocol = await discover(origin);
  const open: ClientSession[] = [];
  for (let i = 0; i < sessions; i++) open.push(await handshake(origin, protocol));
  let turn = 0;
  const sealOne = () => seal(open[turn++ % open.length] as ClientSession, request);
  return singleUse(
    TEMPLATES[request.exchange],
    () => sealOne().variation,
    async (target) => {
      await checkWithClient(target, 'session', request);
      await probe(target, request, sealOne(), `cl1 session ${request.exchange}, prepared message`);
    },
  );
}

/** Stateless requests: each one an HPKE encapsulation to the server key, sealed just before the run. */
export async function cl1StatelessSource(origin: string, request: Cl1Request): Promise<RequestSource> {
  const protocol = await discover(origin);
  const sealOne = () => seal(protocol, request);
  return singleUse(
    TEMPLATES[request.exchange],
    () => sealOne().variation,
    async (target) => {
      await checkWithClient(target, 'stateless', request);
      await probe(target, request, sealOne(), `cl1 stateless ${request.exchange}, prepared message`);
    },
  );
}

/** Handshakes (POST to the session endpoint), each with a fresh client ephemeral key. */
export async function cl1HandshakeSource(origin: string): Promise<RequestSource> {
  const protocol = await discover(origin);
  const template: LoadRequest = {
    method: 'POST',
    path: SESSION_PATH,
    headers: { 'content-type': MEDIA_TYPE, accept: MEDIA_TYPE },
  };
  return singleUse(
    template,
    () => ({ body: asBuffer(handshakeRequest(protocol).message) }),
    async (target) => {
      // A prepared handshake opens a session, which then carries a GET.
      const session = await handshake(target, protocol);
      const get: Cl1Request = { exchange: 'GET', bytes: DOCUMENT_BYTES };
      await probe(target, get, seal(session, get), 'cl1 handshake, then a GET in that session');
    },
  );
}
