import { CipherlayerError } from '@cipherlayer/core';
import { asCipherlayerError, type ErrorCode, type ErrorReply, errorReply } from './errors.js';
import { type CipherlayerEvents, EventHub, type EventName, type Listener } from './events.js';
import { describeCause, type LogSink } from './logger.js';
import type { MessageForm, ResponseEncoding } from './media.js';

/**
 * Everything cipherlayer tells the outside world about a request: log
 * lines and events. Both carry codes, kinds, statuses and the framework's
 * request id only. Events are built only when someone listens.
 */
export class Reporter {
  readonly #log: LogSink;
  readonly #events: EventHub;
  readonly #reply: (code: ErrorCode) => ErrorReply;

  /** `reply` gives the answer for a code: the registry's, unless a profile answers with other statuses. */
  constructor(log: LogSink, reply: (code: ErrorCode) => ErrorReply = errorReply) {
    this.#log = log;
    this.#reply = reply;
    this.#events = new EventHub((event) =>
      log.error({ event }, 'cipherlayer: an event listener threw; the request went on'),
    );
  }

  get log(): LogSink {
    return this.#log;
  }

  on<E extends EventName>(name: E, listener: Listener<E>): void {
    this.#events.on(name, listener);
  }

  off<E extends EventName>(name: E, listener: Listener<E>): void {
    this.#events.off(name, listener);
  }

  #emit<E extends EventName>(name: E, event: CipherlayerEvents[E]): void {
    if (this.#events.listening(name)) this.#events.emit(name, event);
  }

  opened(kind: 'stateless' | 'session', form: MessageForm, requestId: string | undefined): void {
    if (this.#events.listening('opened')) this.#events.emit('opened', { kind, form, requestId });
  }

  sealed(
    kind: 'stateless' | 'session',
    encoding: ResponseEncoding,
    status: number,
    requestId: string | undefined,
  ): void {
    if (this.#events.listening('sealed')) this.#events.emit('sealed', { kind, encoding, status, requestId });
  }

  handshake(encoding: ResponseEncoding, requestId: string | undefined): void {
    this.#emit('handshake', { encoding, requestId });
  }

  revoked(by: 'logout' | 'application', requestId: string | undefined): void {
    this.#emit('revoked', { by, requestId });
  }

  /** Passes `error` on, reporting it first when it is a replay. */
  replay(
    error: unknown,
    kind: 'stateless' | 'session' | 'handshake',
    requestId: string | undefined,
  ): unknown {
    if (error instanceof CipherlayerError && error.code === 'ERR_REPLAY')
      this.#emit('replayed', { kind, requestId });
    return error;
  }

  /** The error reply for a refused request, logged and reported as `rejected`. */
  rejected(error: unknown, requestId: string | undefined): ErrorReply {
    const failure = asCipherlayerError(error);
    const reply = this.#reply(failure.code);
    const fields = { code: reply.code, status: reply.status, requestId };
    if (reply.status >= 500) {
      this.#log.error({ ...fields, cause: describeCause(failure.cause) }, 'cipherlayer: request failed');
    } else if (reply.code === 'ERR_REPLAY') {
      this.#log.warn(fields, 'cipherlayer: replayed request refused');
    } else {
      this.#log.info(fields, 'cipherlayer: request refused');
    }
    this.#emit('rejected', { code: reply.code, status: reply.status, requestId });
    return reply;
  }

  /** A response that could not be sealed: 500 ERR_INTERNAL, with the underlying code in the log. */
  sealFailed(error: unknown, reason: string, requestId: string | undefined): ErrorReply {
    this.#log.error(
      { code: asCipherlayerError(error).code, requestId, reason },
      'cipherlayer: the response could not be sealed',
    );
    return this.rejected(new CipherlayerError('ERR_INTERNAL'), requestId);
  }
}
