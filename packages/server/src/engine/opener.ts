import {
  CipherlayerError,
  fromBase64Url,
  type HandshakeResult,
  MessageType,
  maxJsonMessageLength,
  maxMessageBytes,
  type OpenedRequest,
  parseJsonMessage,
  type RequestBinding,
  type RequestContext,
  type ServerProtocol,
  toJsonMessage,
} from '@cipherlayer/core';
import { Exchange, type SessionHost } from './exchange.js';
import type { MessageForm, ResponseEncoding } from './media.js';
import type { Reporter } from './reporter.js';

type MaybePromise<T> = T | Promise<T>;
type Attributes = Readonly<Record<string, string>>;

const NO_CONTEXT: RequestContext = Object.freeze({});
const NO_ATTRIBUTES: Attributes = Object.freeze({});
const utf8 = new TextDecoder();

function checkedAttributes(value: unknown): Attributes {
  if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string'))
    throw new CipherlayerError('ERR_CONFIG', {
      detail: 'sessionAttributes must return an object of strings',
    });
  return value as Attributes;
}

export interface OpenerHooks<Request> {
  readonly bindingTarget: ((request: Request, target: string) => string) | undefined;
  readonly sessionAttributes: ((request: Request) => Attributes) | undefined;
}

/**
 * From the bytes on the wire to an authenticated request: limits, the
 * three wire forms, the binding (with the app's `bindingTarget`), the
 * session attributes, and the core protocol's checks, in that order.
 */
export class Opener<in Request> {
  readonly maxMessageBytes: number;
  readonly maxJsonLength: number;
  readonly maxHeaderLength: number;

  constructor(
    private readonly protocol: ServerProtocol,
    private readonly hooks: OpenerHooks<Request>,
    private readonly report: Reporter,
    private readonly host: SessionHost,
  ) {
    this.maxMessageBytes = maxMessageBytes(protocol.limits);
    this.maxJsonLength = maxJsonMessageLength(protocol.limits);
    this.maxHeaderLength = Math.ceil((this.maxMessageBytes * 4) / 3);
  }

  /** The binary message: the body as it is, the JSON body decoded, or the header's base64url. */
  decode(form: MessageForm, wire: Uint8Array | string): Uint8Array {
    if (form === 'binary' && typeof wire !== 'string') return wire;
    if (form === 'header' && typeof wire === 'string') {
      if (wire.length > this.maxHeaderLength) throw new CipherlayerError('ERR_TOO_LARGE');
      return fromBase64Url(wire);
    }
    if (form === 'json') {
      if (wire.length > this.maxJsonLength) throw new CipherlayerError('ERR_TOO_LARGE');
      return parseJsonMessage(typeof wire === 'string' ? wire : utf8.decode(wire), this.maxJsonLength);
    }
    throw new CipherlayerError('ERR_INTERNAL');
  }

  #binding(method: string, target: string, request: Request): RequestBinding {
    const { bindingTarget } = this.hooks;
    return { method, target: bindingTarget === undefined ? target : bindingTarget(request, target) };
  }

  /** Opens a decoded stateless or session request. */
  open(
    message: Uint8Array,
    form: MessageForm,
    encoding: ResponseEncoding,
    method: string,
    target: string,
    request: Request,
    requestId: string | undefined,
  ): MaybePromise<Exchange> {
    const kind = message[1] === MessageType.SessionRequest ? 'session' : 'stateless';
    const binding = this.#binding(method, target, request);
    const { sessionAttributes } = this.hooks;
    const context =
      kind === 'session' && sessionAttributes !== undefined
        ? { attributes: sessionAttributes(request) }
        : NO_CONTEXT;
    let opened: MaybePromise<OpenedRequest>;
    try {
      opened = this.protocol.openRequest(message, binding, context);
    } catch (error) {
      throw this.report.replay(error, kind, requestId);
    }
    if (!(opened instanceof Promise)) return this.#exchange(opened, form, encoding, method, requestId);
    return opened.then(
      (value) => this.#exchange(value, form, encoding, method, requestId),
      (error: unknown) => {
        throw this.report.replay(error, kind, requestId);
      },
    );
  }

  #exchange(
    opened: OpenedRequest,
    form: MessageForm,
    encoding: ResponseEncoding,
    method: string,
    requestId: string | undefined,
  ): Exchange {
    this.report.opened(opened.kind, form, requestId);
    return new Exchange(opened, form, encoding, method, requestId, this.host);
  }

  /** A handshake: the session is stored with the request's attributes; the answer is in the request's encoding. */
  handshake(
    message: Uint8Array,
    form: 'binary' | 'json',
    method: string,
    target: string,
    request: Request,
    requestId: string | undefined,
  ): MaybePromise<Uint8Array | string> {
    const binding = this.#binding(method, target, request);
    const { sessionAttributes } = this.hooks;
    const attributes =
      sessionAttributes === undefined ? NO_ATTRIBUTES : checkedAttributes(sessionAttributes(request));
    const answer = (result: HandshakeResult): Uint8Array | string => {
      this.report.handshake(form, requestId);
      return form === 'json' ? JSON.stringify(toJsonMessage(result.response)) : result.response;
    };
    let result: MaybePromise<HandshakeResult>;
    try {
      result = this.protocol.handshake(message, binding, attributes);
    } catch (error) {
      throw this.report.replay(error, 'handshake', requestId);
    }
    if (!(result instanceof Promise)) return answer(result);
    return result.then(answer, (error: unknown) => {
      throw this.report.replay(error, 'handshake', requestId);
    });
  }
}
