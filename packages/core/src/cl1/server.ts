import { hpkeSuite, type Suite } from '../hpke/suites.js';
import type { DiscoveryDocument, ServerKeySet } from '../keys/key-set.js';
import { DEFAULT_SUITES } from '../keys/select.js';
import type { CryptoBackend } from '../lib/backend.js';
import { type Bytes, toBase64Url } from '../lib/bytes.js';
import { CipherlayerError, configError } from '../lib/errors.js';
import { call, type Flow, runFlow } from '../lib/flow.js';
import { MemoryReplayCache, type ReplayCache } from '../state/replay-cache.js';
import {
  MemorySessionStore,
  type SessionRecord,
  type SessionStore,
  type StoredSession,
} from '../state/session-store.js';
import type { RequestBinding } from './binding.js';
import { acceptHandshake } from './handshake.js';
import { type Limits, maxMessageBytes, resolveLimits } from './limits.js';
import {
  type EncapsulatedRequest,
  MessageType,
  messageTypeOf,
  parseEncapsulatedRequest,
  parseSessionRequest,
  SESSION_ID_LENGTH,
} from './messages.js';
import { DEFAULT_WINDOW_SIZE, ReplayWindow, type WindowVerdict } from './replay-window.js';
import { openSessionRequest, sealSessionResponse } from './session.js';
import { importSessionKeys, type SessionKeys } from './session-keys.js';
import { openEncapsulatedRequest, sealEncapsulatedResponse } from './stateless.js';

type MaybePromise<T> = T | Promise<T>;

export interface SessionOptions {
  /** Session lifetime. Default 30 minutes. */
  ttlMs?: number;
  /** Messages per session before the client must handshake again. Default 2^24. */
  maxMessages?: number;
  /** Replay window width in messages. Default 128. */
  windowSize?: number;
}

export interface ServerProtocolOptions {
  backend: CryptoBackend;
  keys: ServerKeySet;
  /** Suites accepted; anything else is ERR_SUITE_NOT_ALLOWED. Default: X25519 and P-256 with AES-256-GCM. */
  suites?: readonly Suite[];
  replayCache?: ReplayCache;
  sessions?: SessionStore;
  clock?: () => number;
  /** How far a stateless request's timestamp may be from the server's clock. Default 30 s. */
  maxSkewMs?: number;
  maxBodyBytes?: number;
  session?: SessionOptions;
}

export interface ResponseParts {
  status: number;
  contentType: string;
  body: Uint8Array;
}

interface OpenedCommon {
  readonly contentType: string;
  readonly body: Uint8Array;
  /** Seals the one response to this request. A second call is an error: a nonce is never reused. */
  sealResponse(response: ResponseParts): MaybePromise<Bytes>;
}

export interface OpenedStatelessRequest extends OpenedCommon {
  readonly kind: 'stateless';
  readonly keyId: number;
  readonly requestId: Uint8Array;
  readonly timestamp: number;
}

export interface OpenedSessionRequest extends OpenedCommon {
  readonly kind: 'session';
  readonly sessionId: Uint8Array;
  readonly counter: number;
  readonly attributes: Readonly<Record<string, string>>;
}

export type OpenedRequest = OpenedStatelessRequest | OpenedSessionRequest;

export interface HandshakeResult {
  readonly response: Bytes;
  readonly sessionId: Uint8Array;
  readonly expiresAt: number;
}

export interface RequestContext {
  /** The current values of the attributes sessions may be bound to (client IP, device id...). */
  attributes?: Readonly<Record<string, string>>;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw configError(`${name} must be a positive integer`);
  return value;
}

const NO_CONTEXT: RequestContext = Object.freeze({});

/**
 * The server side of cl1, independent of any framework: opens requests
 * (stateless and session), runs handshakes, and seals the responses.
 * Options are checked once, here; the per-request path only does its work.
 */
export class ServerProtocol {
  readonly #backend: CryptoBackend;
  #keys: ServerKeySet;
  readonly #suites: readonly Suite[];
  readonly #replayCache: ReplayCache;
  readonly #sessions: SessionStore;
  readonly #clock: () => number;
  readonly #maxSkewMs: number;
  readonly #limits: Limits;
  readonly #maxMessageBytes: number;
  readonly #ttlMs: number;
  readonly #maxMessages: number;
  readonly #windowSize: number;
  readonly #importedKeys = new WeakMap<SessionRecord, SessionKeys>();

  constructor(options: ServerProtocolOptions) {
    if (options.backend === undefined) throw configError('backend is required (nodeBackend on servers)');
    if (options.keys === undefined) throw configError('keys (a ServerKeySet) are required');
    this.#backend = options.backend;
    this.#suites = options.suites ?? DEFAULT_SUITES;
    if (this.#suites.length === 0) throw configError('suites must not be empty');
    this.#keys = options.keys;
    this.#checkKeys(options.keys);
    this.#clock = options.clock ?? Date.now;
    this.#replayCache = options.replayCache ?? new MemoryReplayCache({ clock: this.#clock });
    this.#sessions = options.sessions ?? new MemorySessionStore({ clock: this.#clock });
    this.#maxSkewMs = positiveInteger(options.maxSkewMs ?? 30_000, 'maxSkewMs');
    this.#limits = resolveLimits(options.maxBodyBytes);
    this.#maxMessageBytes = maxMessageBytes(this.#limits);
    this.#ttlMs = positiveInteger(options.session?.ttlMs ?? 30 * 60_000, 'session.ttlMs');
    this.#maxMessages = positiveInteger(options.session?.maxMessages ?? 2 ** 24, 'session.maxMessages');
    if (this.#maxMessages > 0xffffffff) throw configError('session.maxMessages must fit in 32 bits');
    this.#windowSize = options.session?.windowSize ?? DEFAULT_WINDOW_SIZE;
    new ReplayWindow(this.#windowSize); // validates the size now rather than at the first handshake
  }

  #checkKeys(keys: ServerKeySet): void {
    for (const key of keys.keys) {
      if (!this.#suites.includes(key.suite))
        throw configError(`key ${key.keyId} uses a suite this server does not allow`);
    }
  }

  get limits(): Limits {
    return this.#limits;
  }

  get keys(): ServerKeySet {
    return this.#keys;
  }

  /** Key rotation without restart: requests under keys of the old set that are still valid keep working. */
  setKeys(keys: ServerKeySet): void {
    this.#checkKeys(keys);
    this.#keys = keys;
  }

  get sessions(): SessionStore {
    return this.#sessions;
  }

  discovery(): MaybePromise<DiscoveryDocument> {
    return runFlow(this.#backend, this.#keys.discovery(this.#clock()));
  }

  /** Opens a stateless or session request. Handshake requests go to `handshake`. */
  openRequest(
    message: Uint8Array,
    binding: RequestBinding,
    context: RequestContext = NO_CONTEXT,
  ): MaybePromise<OpenedRequest> {
    this.#checkSize(message);
    const type = messageTypeOf(message);
    if (type === MessageType.SessionRequest)
      return runFlow(this.#backend, this.#openSessionRequest(message, binding, context));
    if (type !== MessageType.Request) throw new CipherlayerError('ERR_MALFORMED');
    return runFlow(this.#backend, this.#openStatelessRequest(message, binding));
  }

  handshake(
    message: Uint8Array,
    binding: RequestBinding,
    attributes: Readonly<Record<string, string>> = {},
  ): MaybePromise<HandshakeResult> {
    return runFlow(this.#backend, this.#handshake(message, binding, attributes));
  }

  revokeSession(sessionId: Uint8Array): MaybePromise<void> {
    return this.#sessions.revoke(sessionId);
  }

  #checkSize(message: Uint8Array): void {
    if (message.length > this.#maxMessageBytes) throw new CipherlayerError('ERR_TOO_LARGE');
  }

  /** Suite allowed, key known and valid, key's suite is the message's suite. */
  #keyFor(request: EncapsulatedRequest, now: number) {
    const suite = hpkeSuite(request.kemId, request.kdfId, request.aeadId);
    if (!this.#suites.includes(suite)) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
    const key = this.#keys.lookup(request.keyId, now);
    if (key.suite !== suite) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
    if (Math.abs(now - request.timestamp) > this.#maxSkewMs) throw new CipherlayerError('ERR_STALE');
    return key;
  }

  /**
   * Until when a stateless request's `enc` is remembered. The timestamp check
   * accepts up to and including ts + maxSkew, and a cache forgets an id at
   * its expiry, so the expiry is one millisecond past the last accepted one.
   */
  #replayExpiry(timestamp: number): number {
    return timestamp + this.#maxSkewMs + 1;
  }

  /** Refuses an encapsulated request (stateless or handshake) whose `enc` was already accepted. */
  *#rememberOnce(request: EncapsulatedRequest): Flow<void> {
    const id = toBase64Url(request.enc);
    const fresh = yield* call(() => this.#replayCache.remember(id, this.#replayExpiry(request.timestamp)));
    if (!fresh) throw new CipherlayerError('ERR_REPLAY');
  }

  /**
   * The `sealResponse` of an opened request: once only (a second seal would
   * reuse a nonce), size limit, then the seal.
   */
  #responder(
    seal: (response: ResponseParts) => Flow<Bytes>,
  ): (response: ResponseParts) => MaybePromise<Bytes> {
    let used = false;
    return (response) => {
      if (used) throw configError('sealResponse may be called once per request');
      used = true;
      if (response.body.length > this.#limits.maxBodyBytes) throw new CipherlayerError('ERR_TOO_LARGE');
      return runFlow(this.#backend, seal(response));
    };
  }

  *#openStatelessRequest(message: Uint8Array, binding: RequestBinding): Flow<OpenedStatelessRequest> {
    const now = this.#clock();
    const request = parseEncapsulatedRequest(message);
    const key = this.#keyFor(request, now);
    const { body, context: hpke } = yield* openEncapsulatedRequest(request, key.suite, key.keyPair, binding);
    yield* this.#rememberOnce(request);
    return {
      kind: 'stateless',
      keyId: request.keyId,
      requestId: request.requestId,
      timestamp: request.timestamp,
      contentType: request.contentType,
      body,
      sealResponse: this.#responder((response) =>
        sealEncapsulatedResponse({
          type: MessageType.Response,
          context: hpke,
          enc: request.enc,
          ...response,
        }),
      ),
    };
  }

  *#openSessionRequest(
    message: Uint8Array,
    binding: RequestBinding,
    context: RequestContext,
  ): Flow<OpenedSessionRequest> {
    const request = parseSessionRequest(message);
    const sessions = this.#sessions;
    // Steps are yielded directly rather than through `call` (one generator less each): this runs per request.
    const stored = (yield () => sessions.load(request.sessionId)) as StoredSession | 'revoked' | undefined;
    if (stored === undefined) throw new CipherlayerError('ERR_SESSION_UNKNOWN');
    if (stored === 'revoked') throw new CipherlayerError('ERR_SESSION_REVOKED');
    const { record } = stored;
    if (this.#clock() >= record.expiresAt) throw new CipherlayerError('ERR_SESSION_EXPIRED');
    if (request.counter >= record.maxMessages) throw new CipherlayerError('ERR_SESSION_LIMIT');
    for (const name in record.attributes) {
      if (context.attributes?.[name] !== record.attributes[name])
        throw new CipherlayerError('ERR_SESSION_BINDING');
    }
    let keys = this.#importedKeys.get(record);
    if (keys === undefined) {
      keys = yield* importSessionKeys(record.material);
      this.#importedKeys.set(record, keys);
    }
    const body = yield* openSessionRequest(keys, request, binding);
    // Only authentic messages move the window, so forgeries cannot push real messages out of it.
    const verdict = (yield () => stored.acceptCounter(request.counter)) as WindowVerdict | 'unknown';
    if (verdict === 'unknown') throw new CipherlayerError('ERR_SESSION_UNKNOWN');
    if (verdict !== 'fresh') throw new CipherlayerError('ERR_REPLAY');
    const sessionKeys = keys;
    return {
      kind: 'session',
      sessionId: request.sessionId,
      counter: request.counter,
      attributes: record.attributes,
      contentType: request.contentType,
      body,
      sealResponse: this.#responder((response) =>
        sealSessionResponse(
          sessionKeys,
          request.counter,
          response.status,
          response.contentType,
          response.body,
        ),
      ),
    };
  }

  *#handshake(
    message: Uint8Array,
    binding: RequestBinding,
    attributes: Readonly<Record<string, string>>,
  ): Flow<HandshakeResult> {
    this.#checkSize(message);
    if (messageTypeOf(message) !== MessageType.HandshakeRequest) throw new CipherlayerError('ERR_MALFORMED');
    const now = this.#clock();
    const request = parseEncapsulatedRequest(message);
    const key = this.#keyFor(request, now);
    const sessionId = yield* call((b) => b.randomBytes(SESSION_ID_LENGTH));
    const grant = { sessionId, expiresAt: now + this.#ttlMs, maxMessages: this.#maxMessages };
    const { response, keys } = yield* acceptHandshake({
      request,
      suite: key.suite,
      recipient: key.keyPair,
      binding,
      grant,
    });
    yield* this.#rememberOnce(request);
    const record: SessionRecord = {
      material: keys,
      createdAt: now,
      expiresAt: grant.expiresAt,
      maxMessages: grant.maxMessages,
      attributes: { ...attributes },
    };
    yield* call(() => this.#sessions.save(record, this.#windowSize));
    return { response, sessionId, expiresAt: grant.expiresAt };
  }
}
