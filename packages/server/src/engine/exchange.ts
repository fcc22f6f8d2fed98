import { CipherlayerError, type OpenedRequest, toHex } from '@cipherlayer/core';
import type { MessageForm, ResponseEncoding } from './media.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * What the app sees of an opened cl1 request (`req.cipherlayer`,
 * `request.cipherlayer`, `getCipherlayer(request)`): how it came, and the
 * session operations. The plaintext itself is the framework's body.
 */
export interface CipherlayerExchange {
  readonly kind: 'stateless' | 'session';
  /** How the request carried its message: binary or JSON body, or the `Cipherlayer` header. */
  readonly form: MessageForm;
  /** How the response will be sealed. */
  readonly encoding: ResponseEncoding;
  /** The plaintext's content type, as the client sealed it ('' when it has none). */
  readonly contentType: string;
  /** Stateless requests: the cl1 request id (hex), authenticated, for correlation. */
  readonly requestId: string | undefined;
  /** Session requests: the attributes the session is bound to. */
  readonly sessionAttributes: Readonly<Record<string, string>>;
  /**
   * Binds the current session to more attributes (after login: a user id),
   * merged with those it has. From then on every request of the session must
   * come with the same values from `sessionAttributes(request)`. False when
   * the session is gone.
   */
  bindSession(attributes: Readonly<Record<string, string>>): Promise<boolean>;
  /** Revokes the current session (logout); the response to this request is still sealed. */
  revokeSession(): Promise<void>;
}

/** The engine side of the session operations. */
export interface SessionHost {
  bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>): MaybePromise<boolean>;
  revoke(
    sessionId: Uint8Array,
    by: 'logout' | 'application',
    requestId: string | undefined,
  ): MaybePromise<void>;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const inspect = Symbol.for('nodejs.util.inspect.custom');

function checkAttributes(attributes: Readonly<Record<string, string>>): void {
  if (typeof attributes !== 'object' || attributes === null)
    throw new CipherlayerError('ERR_CONFIG', { detail: 'session attributes must be an object of strings' });
  for (const value of Object.values(attributes)) {
    if (typeof value !== 'string')
      throw new CipherlayerError('ERR_CONFIG', { detail: 'session attribute values must be strings' });
  }
}

/** One opened request: the core's opened message, how to answer it, and who asked. */
export class Exchange implements CipherlayerExchange {
  /** Set once the response is sealed (or refused): a response is sealed at most once. */
  settled = false;
  #attributes: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly opened: OpenedRequest,
    readonly form: MessageForm,
    readonly encoding: ResponseEncoding,
    /** The method the request was bound to, so a later method override can be detected. */
    readonly method: string,
    /** The framework's request id, for events and logs. */
    readonly frameworkRequestId: string | undefined,
    private readonly host: SessionHost,
  ) {}

  get kind(): 'stateless' | 'session' {
    return this.opened.kind;
  }

  get contentType(): string {
    return this.opened.contentType;
  }

  /** The plaintext body. */
  get body(): Uint8Array {
    return this.opened.body;
  }

  get requestId(): string | undefined {
    return this.opened.kind === 'stateless' ? toHex(this.opened.requestId) : undefined;
  }

  get sessionAttributes(): Readonly<Record<string, string>> {
    if (this.opened.kind !== 'session') return EMPTY;
    return this.#attributes ?? this.opened.attributes;
  }

  async bindSession(attributes: Readonly<Record<string, string>>): Promise<boolean> {
    if (this.opened.kind !== 'session')
      throw new CipherlayerError('ERR_CONFIG', { detail: 'bindSession needs a session request' });
    checkAttributes(attributes);
    const merged = { ...this.sessionAttributes, ...attributes };
    const bound = await this.host.bind(this.opened.sessionId, merged);
    if (bound) this.#attributes = merged;
    return bound;
  }

  async revokeSession(): Promise<void> {
    if (this.opened.kind !== 'session')
      throw new CipherlayerError('ERR_CONFIG', { detail: 'revokeSession needs a session request' });
    await this.host.revoke(this.opened.sessionId, 'application', this.frameworkRequestId);
  }

  /** Logged or serialised, an exchange shows how it came, never its body or session id. */
  toJSON(): { kind: string; form: MessageForm; encoding: ResponseEncoding } {
    return { kind: this.kind, form: this.form, encoding: this.encoding };
  }

  [inspect](): string {
    return `CipherlayerExchange { kind: ${this.kind}, form: ${this.form}, encoding: ${this.encoding} }`;
  }
}
