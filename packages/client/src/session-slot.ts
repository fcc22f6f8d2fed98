import type { ClientProtocol, ClientSession } from '@cipherlayer/core';
import type { OutgoingRequest } from './outgoing-request.js';

/** Makes a session for `request`, with its headers. */
type Handshake = (protocol: ClientProtocol, request: OutgoingRequest) => Promise<ClientSession>;

/**
 * The client's one session (spec/protocol.md, "Session state"): made by a
 * handshake on first use, at most one handshake in flight however many
 * requests wait for it, replaced when it is no longer usable (expired or out
 * of messages by the client's clock and counter) or when the server refuses
 * it. The handshake is made with the request that needs the session: its
 * headers are what a server binds the session to.
 */
export class SessionSlot {
  #session: ClientSession | undefined;
  #handshake: Promise<ClientSession> | undefined;
  /** Bumped by `take` (logout): a handshake started before it does not install its session. */
  #generation = 0;

  constructor(private readonly handshake: Handshake) {}

  get(protocol: ClientProtocol, request: OutgoingRequest): Promise<ClientSession> {
    if (this.#session?.usable) return Promise.resolve(this.#session);
    this.#session = undefined;
    if (this.#handshake === undefined) {
      const generation = this.#generation;
      const handshake = this.handshake(protocol, request).then((session) => {
        if (generation === this.#generation) this.#session = session;
        return session;
      });
      this.#handshake = handshake;
      const clear = () => {
        if (this.#handshake === handshake) this.#handshake = undefined;
      };
      handshake.then(clear, clear);
    }
    return this.#handshake;
  }

  /** Forgets `session` if it is still the current one (the server refused it). */
  drop(session: ClientSession | undefined): void {
    if (session !== undefined && this.#session === session) this.#session = undefined;
  }

  /** Removes and returns the current session (logout). */
  take(): ClientSession | undefined {
    const session = this.#session;
    this.#session = undefined;
    this.#handshake = undefined;
    this.#generation++;
    return session;
  }
}
