import type {
  ClientProtocol,
  ClientSession,
  CryptoBackend,
  RequestBinding,
  SealedClientRequest,
} from '@cipherlayer/core';
import { decryptedResponse } from './decrypted-response.js';
import { serverDateOf } from './errors.js';
import { KeyDirectory } from './key-directory.js';
import type { ResolvedOptions } from './options.js';
import type { OutgoingRequest } from './outgoing-request.js';
import { platformBackend } from './platform-backend.js';
import { recoveryFor } from './retry-policy.js';
import { ServerClock } from './server-clock.js';
import { SessionSlot } from './session-slot.js';
import { MEDIA_TYPES, MESSAGE_HEADER, messageBody, messageHeader, readMessage, rejectionOf } from './wire.js';

/** What one attempt used, so that a failure repairs that state and not a newer one. */
interface Attempt {
  stage: 'keys' | 'exchange';
  protocol?: ClientProtocol;
  session?: ClientSession;
}

/**
 * Seals each request, sends it, opens the response; on a refusal the server
 * explains, repairs the state once (clock, keys, session) and sends a newly
 * sealed request. Plaintext never leaves: every request on the wire is a cl1
 * message, before and after any failure.
 */
export class EncryptedTransport {
  readonly #options: ResolvedOptions;
  readonly #clock: ServerClock;
  readonly #keys: KeyDirectory;
  readonly #sessions: SessionSlot | undefined;
  /** The headers of the latest request sent in each session (not its body): the logout carries them too. */
  readonly #lastHeaders = new WeakMap<ClientSession, Pick<OutgoingRequest, 'headers' | 'credentials'>>();
  #backend: Promise<CryptoBackend> | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#clock = new ServerClock(options.clock, options.maxClockCorrectionMs);
    this.#keys = new KeyDirectory(options, () => this.#loadBackend(), this.#clock);
    this.#sessions =
      options.mode === 'session'
        ? new SessionSlot((protocol, request) => this.#handshake(protocol, request))
        : undefined;
  }

  #loadBackend(): Promise<CryptoBackend> {
    this.#backend ??= this.#options.backend ? Promise.resolve(this.#options.backend) : platformBackend();
    return this.#backend;
  }

  async send(request: OutgoingRequest): Promise<Response> {
    let retried = false;
    for (;;) {
      const attempt: Attempt = { stage: 'keys' };
      try {
        return await this.#attempt(request, attempt);
      } catch (error) {
        if (retried || attempt.stage === 'keys' || !(await this.#recover(error, attempt))) throw error;
        retried = true;
      }
    }
  }

  /** Repairs what `error` says is wrong with `attempt`'s state; true when a retry may succeed. */
  async #recover(error: unknown, attempt: Attempt): Promise<boolean> {
    switch (recoveryFor(error)) {
      case 'correct-clock':
        return this.#clock.correctFrom(serverDateOf(error));
      case 'reload-keys':
        if (!this.#keys.canReload || attempt.protocol === undefined) return false;
        // A reload that fails (pins, network) rejects the request with its own error.
        await this.#keys.reload(attempt.protocol);
        return true;
      case 'new-session':
        this.#sessions?.drop(attempt.session);
        return this.#sessions !== undefined;
      case 'drop-session':
        this.#sessions?.drop(attempt.session);
        return false;
      case 'report':
        return false;
    }
  }

  async #attempt(request: OutgoingRequest, attempt: Attempt): Promise<Response> {
    const protocol = await this.#keys.current();
    attempt.protocol = protocol;
    attempt.stage = 'exchange';
    let sealer: ClientProtocol | ClientSession = protocol;
    if (this.#sessions !== undefined) {
      attempt.session = await this.#sessions.get(protocol, request);
      this.#lastHeaders.set(attempt.session, { headers: request.headers, credentials: request.credentials });
      sealer = attempt.session;
    }
    const binding: RequestBinding = { method: request.method, target: request.target };
    const sealed = await sealer.sealRequest(binding, {
      contentType: request.contentType,
      body: request.body,
    });
    const response = await this.#exchange(request, sealed);
    return decryptedResponse(
      response.wire,
      await sealed.openResponse(response.message, response.wire.status),
      request.url,
    );
  }

  /** Sends one sealed message: in the body, or in the `Cipherlayer` header when there is no plaintext body. */
  async #exchange(
    request: OutgoingRequest,
    sealed: SealedClientRequest,
  ): Promise<{ wire: Response; message: Uint8Array }> {
    const { encoding } = this.#options;
    const headers = new Headers(request.headers);
    headers.set('accept', MEDIA_TYPES[encoding]);
    let body: BodyInit | null = null;
    if (request.body.length > 0) {
      headers.set('content-type', MEDIA_TYPES[encoding]);
      body = messageBody(sealed.message, encoding);
    } else {
      headers.set(MESSAGE_HEADER, messageHeader(sealed.message));
    }
    const wire = await this.#options.fetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: request.signal,
      credentials: request.credentials,
      keepalive: request.keepalive,
      // A redirect would be a second request that nobody sealed: the caller sees the 3xx instead.
      redirect: 'manual',
    });
    return { wire, message: await this.#messageOf(wire) };
  }

  async #messageOf(wire: Response): Promise<Uint8Array> {
    const message = await readMessage(wire, this.#options.limits);
    if (message === undefined) throw await rejectionOf(wire);
    return message;
  }

  /**
   * Handshakes with the headers and credentials of the request that needs
   * the session (spec/http.md, "Well-known resources"): a server binds the
   * session to values it reads from them (a device id, a user's token or
   * cookie) and compares them on every request of the session.
   */
  async #handshake(protocol: ClientProtocol, request: OutgoingRequest): Promise<ClientSession> {
    const { sessionUrl, encoding } = this.#options;
    const target = sessionUrl.pathname + sessionUrl.search;
    const hello = await protocol.startHandshake({ method: 'POST', target });
    const headers = new Headers(request.headers);
    headers.set('content-type', MEDIA_TYPES[encoding]);
    headers.set('accept', MEDIA_TYPES[encoding]);
    const wire = await this.#options.fetch(sessionUrl.origin + target, {
      method: 'POST',
      headers,
      body: messageBody(hello.message, encoding),
      credentials: request.credentials,
      redirect: 'manual',
    });
    return await hello.finish(await this.#messageOf(wire), wire.status);
  }

  /**
   * Revokes the session on the server (DELETE on the session URL, sealed in
   * the session, with the headers of the session's latest request, which
   * the server checks like any other) and forgets it here. The session is
   * forgotten even when the server cannot be reached; then it ends at its
   * expiry.
   */
  async logout(): Promise<void> {
    const session = this.#sessions?.take();
    if (session === undefined || !session.usable) return;
    const { sessionUrl, encoding } = this.#options;
    const target = sessionUrl.pathname + sessionUrl.search;
    const sealed = await session.sealRequest(
      { method: 'DELETE', target },
      { contentType: '', body: new Uint8Array(0) },
    );
    const latest = this.#lastHeaders.get(session);
    const headers = new Headers(latest?.headers);
    headers.set(MESSAGE_HEADER, messageHeader(sealed.message));
    headers.set('accept', MEDIA_TYPES[encoding]);
    const wire = await this.#options.fetch(sessionUrl.origin + target, {
      method: 'DELETE',
      headers,
      ...(latest === undefined ? {} : { credentials: latest.credentials }),
      redirect: 'manual',
    });
    await sealed.openResponse(await this.#messageOf(wire), wire.status);
  }
}
