import {
  ClientProtocol,
  type ClientSession,
  fromJsonMessage,
  type SealedClientRequest,
  toBase64Url,
  toJsonMessage,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import type { Harness, WireRequest, WireResponse } from './harness.js';

export type Form = 'binary' | 'json' | 'header';

export interface CallSpec {
  method: string;
  target: string;
  /** A JSON body (sealed as application/json). */
  json?: unknown;
  /** Any other plaintext body. */
  plain?: { contentType: string; body: Uint8Array | string };
  /** How the message travels; default: header when there is no body, binary otherwise. */
  form?: Form;
  /** Use this session (default: the client's current one, if any); false for stateless. */
  session?: ClientSession | false;
  /** The method and target the message is bound to, when a test wants them to differ from the request's. */
  bindTo?: { method: string; target: string };
  headers?: Record<string, string>;
}

export interface Built {
  readonly request: WireRequest;
  readonly sealed: SealedClientRequest;
}

export interface Opened {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  json(): unknown;
}

const encoder = new TextEncoder();

/**
 * A cl1 client for tests, on core's ClientProtocol (node:crypto): it builds
 * wire requests in each form for any harness, and opens the answers.
 */
export class TestClient {
  session: ClientSession | undefined;

  private constructor(
    readonly harness: Harness,
    readonly protocol: ClientProtocol,
  ) {}

  static async connect(harness: Harness, clock?: () => number): Promise<TestClient> {
    const response = await harness.send({ method: 'GET', target: harness.engine.paths.discovery });
    if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
    const protocol = await ClientProtocol.create({
      backend: nodeBackend,
      discovery: JSON.parse(response.body.toString('utf8')),
      ...(clock === undefined ? {} : { clock }),
    });
    return new TestClient(harness, protocol);
  }

  /** A handshake request as it goes on the wire, and how to finish it. */
  async handshakeRequest(encoding: 'binary' | 'json' = 'binary', headers: Record<string, string> = {}) {
    const target = this.harness.engine.paths.session;
    const hello = await this.protocol.startHandshake({ method: 'POST', target });
    const request: WireRequest =
      encoding === 'binary'
        ? {
            method: 'POST',
            target,
            headers: { 'content-type': 'application/cipherlayer', ...headers },
            body: hello.message,
          }
        : {
            method: 'POST',
            target,
            headers: { 'content-type': 'application/cipherlayer+json', ...headers },
            body: JSON.stringify(toJsonMessage(hello.message)),
          };
    return { request, hello };
  }

  async handshake(
    encoding: 'binary' | 'json' = 'binary',
    headers: Record<string, string> = {},
  ): Promise<ClientSession> {
    const { request, hello } = await this.handshakeRequest(encoding, headers);
    const response = await this.harness.send(request);
    if (response.status !== 200) throw new Error(`handshake answered ${response.status}: ${response.body}`);
    this.session = await hello.finish(messageOf(response), 200);
    return this.session;
  }

  async build(spec: CallSpec): Promise<Built> {
    const plain =
      spec.plain ??
      (spec.json === undefined
        ? { contentType: '', body: new Uint8Array(0) }
        : { contentType: 'application/json', body: JSON.stringify(spec.json) });
    const body = typeof plain.body === 'string' ? encoder.encode(plain.body) : plain.body;
    const binding = spec.bindTo ?? { method: spec.method, target: spec.target };
    const session = spec.session === false ? undefined : (spec.session ?? this.session);
    const parts = { contentType: plain.contentType, body };
    const sealed =
      session === undefined
        ? await this.protocol.sealRequest(binding, parts)
        : await session.sealRequest(binding, parts);
    const form: Form = spec.form ?? (body.length === 0 ? 'header' : 'binary');
    const headers: Record<string, string> = {};
    let wireBody: Uint8Array | string | undefined;
    if (form === 'header') headers.cipherlayer = toBase64Url(sealed.message);
    else if (form === 'binary') {
      headers['content-type'] = 'application/cipherlayer';
      wireBody = sealed.message;
    } else {
      headers['content-type'] = 'application/cipherlayer+json';
      wireBody = JSON.stringify(toJsonMessage(sealed.message));
    }
    const request: WireRequest = {
      method: spec.method,
      target: spec.target,
      headers: { ...headers, ...spec.headers },
      ...(wireBody === undefined ? {} : { body: wireBody }),
    };
    return { request, sealed };
  }

  async open(built: Built, response: WireResponse): Promise<Opened> {
    const opened = await built.sealed.openResponse(messageOf(response), response.status);
    const text = new TextDecoder().decode(opened.body);
    return { status: response.status, contentType: opened.contentType, text, json: () => JSON.parse(text) };
  }

  /** Builds, sends and opens; fails the test when the answer is not a sealed one. */
  async call(spec: CallSpec): Promise<Opened & { response: WireResponse }> {
    const built = await this.build(spec);
    const response = await this.harness.send(built.request);
    const type = response.headers['content-type'] ?? '';
    if (!type.startsWith('application/cipherlayer'))
      throw new Error(
        `expected a sealed answer, got ${response.status} ${type}: ${response.body.toString('utf8')}`,
      );
    return { ...(await this.open(built, response)), response };
  }
}

/** The binary message of a sealed answer, whichever encoding it came in. */
export function messageOf(response: WireResponse): Uint8Array {
  const type = response.headers['content-type'] ?? '';
  if (type.startsWith('application/cipherlayer+json'))
    return fromJsonMessage(JSON.parse(response.body.toString('utf8')));
  return new Uint8Array(response.body);
}
