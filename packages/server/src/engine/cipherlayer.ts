import {
  CipherlayerError,
  type DiscoveryDocument,
  MessageType,
  ServerKeySet,
  ServerProtocol,
  toJsonMessage,
} from '@cipherlayer/core';
import { nodeBackend } from '@cipherlayer/core/node';
import { asCipherlayerError, configError, type ErrorReply } from './errors.js';
import type { EventName, Listener } from './events.js';
import type { Exchange, SessionHost } from './exchange.js';
import { sealedStatus } from './http-rules.js';
import { describeCause, logSink } from './logger.js';
import type { MessageForm, ResponseEncoding } from './media.js';
import { Opener } from './opener.js';
import { type CipherlayerOptions, discoveryMaxAge, type KeyLoader, protocolOptions } from './options.js';
import { Reporter } from './reporter.js';
import {
  type PublishedKeys,
  PublishedKeysCache,
  WellKnownMatcher,
  type WellKnownPaths,
  type WellKnownResource,
  wellKnownPaths,
} from './well-known.js';

type MaybePromise<T> = T | Promise<T>;

const EMPTY_BODY = new Uint8Array(0);

/**
 * The framework-agnostic server engine: one per app, shared by every
 * adapter. It opens cl1 requests, seals responses, runs the well-known
 * resources and turns failures into the registry's error replies.
 * Adapters do the framework's I/O and call it; apps use `setKeys`,
 * `reloadKeys` and `on`.
 */
export class Cipherlayer<in Request = unknown> implements SessionHost {
  readonly #protocol: ServerProtocol;
  readonly #loader: KeyLoader | undefined;
  readonly #report: Reporter;
  readonly #opener: Opener<Request>;
  readonly #matcher: WellKnownMatcher;
  readonly #published: PublishedKeysCache;

  /** Where the well-known resources are served. */
  readonly paths: WellKnownPaths;
  /** Largest plaintext body, each way. */
  readonly maxBodyBytes: number;
  /** Cache-Control of the discovery resources. */
  readonly discoveryCacheControl: string;

  /** Use `createCipherlayer`, which checks the options first. */
  constructor(options: CipherlayerOptions<Request>, keys: ServerKeySet, loader?: KeyLoader) {
    const protocol = new ServerProtocol(protocolOptions(options, keys, nodeBackend));
    this.#protocol = protocol;
    this.#loader = loader;
    this.#report = new Reporter(logSink(options.logger));
    this.#opener = new Opener<Request>(
      protocol,
      { bindingTarget: options.bindingTarget, sessionAttributes: options.sessionAttributes },
      this.#report,
      this,
    );
    const prefix = options.wellKnownPrefix ?? '';
    this.paths = wellKnownPaths(prefix);
    this.#matcher = new WellKnownMatcher(prefix, this.paths);
    this.#published = new PublishedKeysCache(
      () => protocol.keys,
      () => protocol.discovery(),
      options.clock ?? Date.now,
    );
    this.maxBodyBytes = protocol.limits.maxBodyBytes;
    this.discoveryCacheControl = `public, max-age=${discoveryMaxAge(options)}`;
  }

  // ---- for apps ----------------------------------------------------------------

  get keys(): ServerKeySet {
    return this.#protocol.keys;
  }

  /**
   * Replaces the key set without a restart. Requests sealed to a key of the
   * old set keep opening while the new set still holds that key and it is
   * valid: `set.withKey(newKey, now)` keeps the old keys until their notAfter.
   */
  setKeys(keys: ServerKeySet): void {
    if (!(keys instanceof ServerKeySet)) throw configError('setKeys needs a ServerKeySet');
    this.#protocol.setKeys(keys);
    this.#published.clear();
  }

  /** Calls the `keys` loader again and installs what it returns; on failure the current keys stay. */
  async reloadKeys(): Promise<void> {
    const loader = this.#loader;
    if (loader === undefined) throw configError('reloadKeys needs "keys" given as a loader function');
    try {
      this.setKeys(await loader());
    } catch (error) {
      this.#report.log.error(
        { code: asCipherlayerError(error).code, cause: describeCause(error) },
        'cipherlayer: reloading keys failed; the current keys stay',
      );
      throw error;
    }
  }

  /** The discovery document, as served at `paths.discovery`. */
  async discovery(): Promise<DiscoveryDocument> {
    return await this.#protocol.discovery();
  }

  on<E extends EventName>(name: E, listener: Listener<E>): this {
    this.#report.on(name, listener);
    return this;
  }

  off<E extends EventName>(name: E, listener: Listener<E>): this {
    this.#report.off(name, listener);
    return this;
  }

  // ---- for adapters: requests ------------------------------------------------

  /** Which well-known resource a request target names, if any. */
  wellKnown(target: string): WellKnownResource | undefined {
    return this.#matcher.match(target);
  }

  /** The most bytes a transport reads for a message in this form (characters, for the header). */
  wireLimit(form: MessageForm): number {
    const opener = this.#opener;
    if (form === 'binary') return opener.maxMessageBytes;
    return form === 'json' ? opener.maxJsonLength : opener.maxHeaderLength;
  }

  /**
   * Opens a stateless or session request from its wire form (the body's
   * bytes, or the header's text). Throws (or rejects with) a
   * CipherlayerError, and then the app must not run.
   */
  open(
    form: MessageForm,
    encoding: ResponseEncoding,
    wire: Uint8Array | string,
    method: string,
    target: string,
    request: Request,
    requestId: string | undefined,
  ): MaybePromise<Exchange> {
    const message = this.#opener.decode(form, wire);
    return this.#opener.open(message, form, encoding, method, target, request, requestId);
  }

  /**
   * Seals the app's response, once. It is sealed and sent with
   * `sealedStatus(status)`; binary encoding gives bytes, JSON gives text.
   */
  seal(
    exchange: Exchange,
    status: number,
    contentType: string,
    body: Uint8Array,
  ): MaybePromise<Uint8Array | string> {
    if (exchange.settled) throw new CipherlayerError('ERR_INTERNAL');
    exchange.settled = true;
    const wireStatus = sealedStatus(status);
    const sealed = exchange.opened.sealResponse({ status: wireStatus, contentType, body });
    if (sealed instanceof Promise)
      return sealed.then((value) => this.#encodeSealed(exchange, value, wireStatus));
    return this.#encodeSealed(exchange, sealed, wireStatus);
  }

  #encodeSealed(exchange: Exchange, sealed: Uint8Array, status: number): Uint8Array | string {
    this.#report.sealed(exchange.kind, exchange.encoding, status, exchange.frameworkRequestId);
    return exchange.encoding === 'json' ? JSON.stringify(toJsonMessage(sealed)) : sealed;
  }

  /** The plaintext error reply for a request refused before the app ran; logged and reported. */
  reject(error: unknown, requestId: string | undefined): ErrorReply {
    return this.#report.rejected(error, requestId);
  }

  /** The app's response could not be sealed (too large, say): 500 ERR_INTERNAL, the reason in the log. */
  sealFailed(error: unknown, exchange: Exchange, reason: string): ErrorReply {
    exchange.settled = true;
    return this.#report.sealFailed(error, reason, exchange.frameworkRequestId);
  }

  // ---- for adapters: well-known resources --------------------------------------

  /** The discovery document as JSON and as `application/ohttp-keys`, cached until a key's notAfter passes. */
  published(): MaybePromise<PublishedKeys> {
    return this.#published.get();
  }

  /** Runs a handshake (POST to `paths.session`); the answer goes out with status 200. */
  handshake(
    form: 'binary' | 'json',
    wire: Uint8Array | string,
    method: string,
    target: string,
    request: Request,
    requestId: string | undefined,
  ): MaybePromise<Uint8Array | string> {
    const message = this.#opener.decode(form, wire);
    return this.#opener.handshake(message, form, method, target, request, requestId);
  }

  /** Logout (DELETE to `paths.session`): opens the session request, revokes it, seals an empty 200. */
  async logout(
    form: MessageForm,
    encoding: ResponseEncoding,
    wire: Uint8Array | string,
    method: string,
    target: string,
    request: Request,
    requestId: string | undefined,
  ): Promise<Uint8Array | string> {
    const message = this.#opener.decode(form, wire);
    if (message[1] !== MessageType.SessionRequest) throw new CipherlayerError('ERR_MALFORMED');
    const exchange = await this.#opener.open(message, form, encoding, method, target, request, requestId);
    if (exchange.opened.kind !== 'session') throw new CipherlayerError('ERR_MALFORMED');
    await this.revoke(exchange.opened.sessionId, 'logout', requestId);
    return await this.seal(exchange, 200, '', EMPTY_BODY);
  }

  // ---- SessionHost: what an Exchange asks for ----------------------------------

  bind(sessionId: Uint8Array, attributes: Readonly<Record<string, string>>): MaybePromise<boolean> {
    return this.#protocol.sessions.bind(sessionId, attributes);
  }

  revoke(
    sessionId: Uint8Array,
    by: 'logout' | 'application',
    requestId: string | undefined,
  ): MaybePromise<void> {
    const revoked = this.#protocol.revokeSession(sessionId);
    if (revoked instanceof Promise) return revoked.then(() => this.#report.revoked(by, requestId));
    this.#report.revoked(by, requestId);
  }
}
