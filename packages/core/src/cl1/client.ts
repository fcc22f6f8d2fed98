import type { Suite } from '../hpke/suites.js';
import { type PublishedKey, readDiscoveryKeys, selectServerKey } from '../keys/select.js';
import type { CryptoBackend } from '../lib/backend.js';
import type { Bytes } from '../lib/bytes.js';
import { CipherlayerError, configError } from '../lib/errors.js';
import { type Flow, runFlow } from '../lib/flow.js';
import type { RequestBinding } from './binding.js';
import { finishHandshake, type SessionGrant, startHandshake } from './handshake.js';
import { type Limits, resolveLimits } from './limits.js';
import { MessageType, parseSessionResponse } from './messages.js';
import { openSessionResponse, sealSessionRequest } from './session.js';
import { importSessionKeys, type SessionKeys } from './session-keys.js';
import { openEncapsulatedResponse, sealEncapsulatedRequest } from './stateless.js';

type MaybePromise<T> = T | Promise<T>;

export interface RequestParts {
  contentType: string;
  body: Uint8Array;
}

export interface OpenedResponse {
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface SealedClientRequest {
  readonly message: Bytes;
  /** Opens the response to this request; `status` is the HTTP status it came with. */
  openResponse(message: Uint8Array, status: number): MaybePromise<OpenedResponse>;
}

export interface ClientProtocolOptions {
  backend: CryptoBackend;
  /** A discovery document as served by the server (its `keys` are used; pins are recomputed). */
  discovery: unknown;
  /** Accepted key pins ("sha256/..."); when set, no other key is ever used. */
  pins?: readonly string[];
  suites?: readonly Suite[];
  clock?: () => number;
  maxBodyBytes?: number;
}

/**
 * A cl1 session on the client: keys, grant, and the next message counter.
 * Counters are used once each, in order, even when a request fails.
 */
export class ClientSession {
  #nextCounter = 0;

  constructor(
    readonly grant: SessionGrant,
    private readonly keys: SessionKeys,
    private readonly backend: CryptoBackend,
    private readonly clock: () => number,
    private readonly limits: Limits,
  ) {}

  get sessionId(): Uint8Array {
    return this.grant.sessionId;
  }

  get nextCounter(): number {
    return this.#nextCounter;
  }

  /** True once the session has expired or used its message budget: handshake again. */
  get usable(): boolean {
    return this.clock() < this.grant.expiresAt && this.#nextCounter < this.grant.maxMessages;
  }

  sealRequest(binding: RequestBinding, request: RequestParts): MaybePromise<SealedClientRequest> {
    if (request.body.length > this.limits.maxBodyBytes) throw new CipherlayerError('ERR_TOO_LARGE');
    if (!this.usable)
      throw new CipherlayerError(
        this.#nextCounter >= this.grant.maxMessages ? 'ERR_SESSION_LIMIT' : 'ERR_SESSION_EXPIRED',
      );
    const counter = this.#nextCounter++;
    const keys = this.keys;
    const backend = this.backend;
    return then(
      runFlow(backend, sealSessionRequest(keys, counter, binding, request.contentType, request.body)),
      (message) => ({
        message,
        openResponse: (response: Uint8Array, status: number) =>
          runFlow(backend, openSession(keys, response, counter, status)),
      }),
    );
  }
}

function* openSession(
  keys: SessionKeys,
  message: Uint8Array,
  counter: number,
  status: number,
): Flow<OpenedResponse> {
  const parsed = parseSessionResponse(message);
  const body = yield* openSessionResponse(keys, parsed, counter, status);
  return { contentType: parsed.contentType, body };
}

function then<T, U>(value: MaybePromise<T>, next: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value as T);
}

/**
 * The client side of cl1: chooses the server key (pins, suites, validity),
 * seals stateless requests and runs handshakes. The clock offset corrects
 * a client clock that the server found stale.
 */
export class ClientProtocol {
  clockOffsetMs = 0;
  readonly #limits: Limits;

  private constructor(
    private readonly backend: CryptoBackend,
    readonly key: PublishedKey,
    private readonly clock: () => number,
    limits: Limits,
  ) {
    this.#limits = limits;
  }

  static create(options: ClientProtocolOptions): MaybePromise<ClientProtocol> {
    if (options.backend === undefined) throw configError('backend is required');
    const clock = options.clock ?? Date.now;
    const limits = resolveLimits(options.maxBodyBytes);
    return then(runFlow(options.backend, readDiscoveryKeys(options.discovery)), (keys) => {
      const key = selectServerKey(keys, {
        now: clock(),
        ...(options.pins === undefined ? {} : { pins: options.pins }),
        ...(options.suites === undefined ? {} : { suites: options.suites }),
      });
      return new ClientProtocol(options.backend, key, clock, limits);
    });
  }

  now(): number {
    return this.clock() + this.clockOffsetMs;
  }

  sealRequest(binding: RequestBinding, request: RequestParts): MaybePromise<SealedClientRequest> {
    if (request.body.length > this.#limits.maxBodyBytes) throw new CipherlayerError('ERR_TOO_LARGE');
    const backend = this.backend;
    const flow = sealEncapsulatedRequest({
      type: MessageType.Request,
      key: this.key,
      binding,
      contentType: request.contentType,
      body: request.body,
      timestamp: this.now(),
    });
    return then(runFlow(backend, flow), ({ message, pending }) => ({
      message,
      openResponse: (response: Uint8Array, status: number) =>
        runFlow(backend, openEncapsulatedResponse(pending, response, status)),
    }));
  }

  /** Starts a handshake; `finish` takes the server's response and returns the session. */
  startHandshake(binding: RequestBinding): MaybePromise<{
    message: Bytes;
    finish(response: Uint8Array, status: number): MaybePromise<ClientSession>;
  }> {
    const backend = this.backend;
    const limits = this.#limits;
    const clock = () => this.now();
    return then(
      runFlow(backend, startHandshake({ key: this.key, binding, timestamp: this.now() })),
      ({ message, handshake }) => ({
        message,
        finish: (response: Uint8Array, status: number) =>
          runFlow(
            backend,
            (function* () {
              const { grant, keys } = yield* finishHandshake(handshake, response, status);
              return new ClientSession(grant, yield* importSessionKeys(keys), backend, clock, limits);
            })(),
          ),
      }),
    );
  }
}
