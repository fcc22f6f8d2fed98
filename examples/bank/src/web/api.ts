/**
 * The page's one way to the server: every call goes through an encryption
 * client (cl1 in session mode, or a seed profile for the data routes when
 * the inspector's toggle says so), one call at a time, recorded for the
 * inspector. The rest of the page sees plain JSON, as an app would.
 */
import { type CipherlayerFetch, createClient, isCipherlayerError } from '@cipherlayer/client';
import { createJweClient } from '@cipherlayer/profiles/jwe/client';
import { createRsaSessionClient } from '@cipherlayer/profiles/rsa-session/client';
import type { WrappedSessionKey } from '@cipherlayer/profiles/static-key/browser';
import { createStaticKeyFetch, deriveSessionKeyFromLogin } from '@cipherlayer/profiles/static-key/browser';
import { type ExchangeListener, recordingFetch, type WireExchange } from './wire-recorder';

export const PROTECTIONS = ['cl1', 'rsa-session', 'static-key', 'jwe'] as const;
export type Protection = (typeof PROTECTIONS)[number];

export interface CallRecord {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly protection: Protection;
  readonly exchanges: WireExchange[];
  /** What the app code handed to the client to send (plaintext), if anything. */
  readonly sent?: unknown;
  /** What the app code got back, decrypted; undefined while running or after a failure. */
  seen?: { status: number; contentType: string; body: unknown; bytes: number };
  failure?: string;
}

/** The server is not answering (stopped, restarting, or the network is gone). */
export class OfflineError extends Error {
  constructor(cause: unknown) {
    super('The bank is not answering.', { cause });
    this.name = 'OfflineError';
  }
}

/** An answer of the bank: its status and its decrypted JSON. */
export interface Answer<T> {
  readonly status: number;
  readonly ok: boolean;
  readonly body: T;
}

type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

/** Session errors after which a new session (handshaken on the next request) fixes things: sent again once. */
const RESEND_AFTER = new Set(['ERR_SESSION_BINDING', 'ERR_SESSION_REVOKED']);

function deviceId(): string {
  const stored = localStorage.getItem('bank-device-id');
  if (stored !== null) return stored;
  const made = crypto.randomUUID();
  localStorage.setItem('bank-device-id', made);
  return made;
}

export class BankApi {
  protection: Protection = 'cl1';
  readonly #onCall: (call: CallRecord) => void;
  readonly #onUpdate: (call: CallRecord) => void;
  #current: CallRecord | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #cl1!: CipherlayerFetch;
  #profiles!: Record<Exclude<Protection, 'cl1'>, Fetcher>;
  #staticKey: Promise<CryptoKey> | undefined;
  readonly #transport: typeof fetch;

  constructor(listeners: { onCall: (call: CallRecord) => void; onUpdate: (call: CallRecord) => void }) {
    this.#onCall = listeners.onCall;
    this.#onUpdate = listeners.onUpdate;
    const listener = (): ExchangeListener | undefined => {
      const call = this.#current;
      if (call === undefined) return undefined;
      return (exchange) => {
        call.exchanges.push(exchange);
        this.#onUpdate(call);
      };
    };
    this.#transport = recordingFetch(listener);
    this.#makeClients();
  }

  /** Fresh clients: no session, no key (after logout, so the next login starts clean). */
  #makeClients(): void {
    const baseUrl = location.origin;
    const transport = this.#transport;
    this.#cl1 = createClient({ baseUrl, mode: 'session', fetch: transport });
    this.#profiles = {
      'rsa-session': createRsaSessionClient({
        baseUrl,
        deviceId: deviceId(),
        mode: 'strict',
        fetch: transport,
      }),
      'static-key': createStaticKeyFetch({
        baseUrl,
        fetch: transport,
        key: () => {
          if (this.#staticKey === undefined)
            throw new Error('Sign in again to get a static-key session key.');
          return this.#staticKey;
        },
      }),
      jwe: createJweClient({ baseUrl, mode: 'strict', fetch: transport }),
    };
  }

  /**
   * After login: the static-key profile's session key, unwrapped inside Web
   * Crypto from the login answer with a key derived from the password
   * (PBKDF2, 600 000 iterations: a moment of CPU, so it runs in the
   * background). The key is not extractable.
   */
  adoptStaticKeyGrant(password: string, grant: WrappedSessionKey): void {
    const key = deriveSessionKeyFromLogin(password, grant);
    key.catch(() => undefined); // reported when a static-key call uses it
    this.#staticKey = key;
  }

  async forget(): Promise<void> {
    this.#staticKey = undefined;
    this.#makeClients();
  }

  /** A call on the cl1 routes (login, logout, me): always cl1. */
  cl1<T>(label: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    return this.#enqueue(label, 'cl1', method, path, body);
  }

  /** A call on a data route, through the protection the toggle chose. */
  data<T>(label: string, method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const protection = this.protection;
    const prefix = protection === 'cl1' ? '/api' : `/api/via/${protection}`;
    return this.#enqueue(label, protection, method, `${prefix}${path}`, body);
  }

  #enqueue<T>(
    label: string,
    protection: Protection,
    method: string,
    path: string,
    body: unknown,
  ): Promise<Answer<T>> {
    const run = this.#queue.then(() => this.#run<T>(label, protection, method, path, body));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run<T>(
    label: string,
    protection: Protection,
    method: string,
    path: string,
    body: unknown,
  ): Promise<Answer<T>> {
    const call: CallRecord = {
      label,
      method,
      path,
      protection,
      exchanges: [],
      ...(body === undefined ? {} : { sent: body }),
    };
    this.#current = call;
    this.#onCall(call);
    const send: Fetcher = protection === 'cl1' ? this.#cl1 : this.#profiles[protection];
    const init: RequestInit =
      body === undefined
        ? { method }
        : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    try {
      let response: Response;
      try {
        response = await send(path, init);
      } catch (error) {
        if (!(isCipherlayerError(error) && RESEND_AFTER.has(error.code))) throw error;
        response = await send(path, init); // the client dropped the session: this handshakes a new one
      }
      const text = await response.text();
      const parsed = text === '' ? null : (JSON.parse(text) as T);
      call.seen = {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: parsed,
        bytes: new TextEncoder().encode(text).length,
      };
      return { status: response.status, ok: response.ok, body: parsed as T };
    } catch (error) {
      call.failure = isCipherlayerError(error) ? `${error.code}: ${error.message}` : String(error);
      if (error instanceof TypeError && !isCipherlayerError(error)) throw new OfflineError(error);
      // static-key's per-login key exists only from a login on (in memory unless the server uses Redis).
      if (protection === 'static-key' && isCipherlayerError(error) && error.code.startsWith('ERR_SESSION_'))
        throw new Error(
          'the static-key session key is gone (a server restart?): sign out and in again for a new one',
        );
      throw error;
    } finally {
      this.#current = undefined;
      this.#onUpdate(call);
    }
  }
}
