import type { ErrorCode } from './errors.js';
import type { MessageForm, ResponseEncoding } from './media.js';

/**
 * What cipherlayer reports to listeners (metrics, audit). Payloads hold
 * codes, kinds, statuses and the framework's request id, never a body, a
 * key, a message or a session id. `requestId` is the framework's own id
 * (Fastify's `request.id`, Express's `req.id` when a middleware sets one),
 * undefined when the framework has none.
 */
export interface CipherlayerEvents {
  /** A cl1 request was opened and is about to reach the app. */
  opened: { kind: 'stateless' | 'session'; form: MessageForm; requestId: string | undefined };
  /** The app's response to a cl1 request was sealed. `status` is the one it was sealed and sent with. */
  sealed: {
    kind: 'stateless' | 'session';
    encoding: ResponseEncoding;
    status: number;
    requestId: string | undefined;
  };
  /** A request was refused (or its response could not be sealed) with this code and status. */
  rejected: { code: ErrorCode; status: number; requestId: string | undefined };
  /** A replayed stateless request, handshake or session counter (also reported as `rejected`). */
  replayed: { kind: 'stateless' | 'session' | 'handshake'; requestId: string | undefined };
  /** A session was granted. */
  handshake: { encoding: ResponseEncoding; requestId: string | undefined };
  /** A session was revoked: by the logout endpoint, or by the app through `revokeSession()`. */
  revoked: { by: 'logout' | 'application'; requestId: string | undefined };
}

export type EventName = keyof CipherlayerEvents;
export type Listener<E extends EventName> = (event: CipherlayerEvents[E]) => void;

type Listeners = { [E in EventName]: Listener<E>[] };

/**
 * A small typed emitter. The hot path asks `listening(name)` first, so an
 * event with no listener costs one length check and no allocation. A
 * listener that throws is reported once to `onListenerError` and never
 * reaches the request.
 */
export class EventHub {
  readonly #listeners: Listeners = {
    opened: [],
    sealed: [],
    rejected: [],
    replayed: [],
    handshake: [],
    revoked: [],
  };
  readonly #onListenerError: (event: EventName) => void;

  constructor(onListenerError: (event: EventName) => void) {
    this.#onListenerError = onListenerError;
  }

  on<E extends EventName>(name: E, listener: Listener<E>): void {
    const list = this.#list(name);
    if (typeof listener !== 'function') throw new TypeError(`listener for "${name}" must be a function`);
    list.push(listener);
  }

  off<E extends EventName>(name: E, listener: Listener<E>): void {
    const list = this.#list(name);
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
  }

  listening(name: EventName): boolean {
    return this.#listeners[name].length > 0;
  }

  emit<E extends EventName>(name: E, event: CipherlayerEvents[E]): void {
    for (const listener of this.#listeners[name] as Listener<E>[]) {
      try {
        listener(event);
      } catch {
        this.#onListenerError(name);
      }
    }
  }

  #list<E extends EventName>(name: E): Listener<E>[] {
    const list = Object.hasOwn(this.#listeners, name) ? this.#listeners[name] : undefined;
    if (list === undefined) {
      throw new TypeError(
        `unknown event "${String(name)}"; events: ${Object.keys(this.#listeners).join(', ')}`,
      );
    }
    return list as Listener<E>[];
  }
}
