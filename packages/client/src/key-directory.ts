import { ClientProtocol, type CryptoBackend } from '@cipherlayer/core';
import { serverError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { ServerClock } from './server-clock.js';
import { readLimited, rejectionOf } from './wire.js';

/** 256 keys with pins and key configs fit in well under this. */
const MAX_DISCOVERY_BYTES = 256 * 1024;

/**
 * The server key the client seals to: loaded lazily from the shipped
 * discovery document or the discovery URL, reloaded when the server says
 * the key is unknown or expired (once per stale key, whatever the number of
 * requests that noticed), and before use when the key expired by the
 * client's clock. Pins are enforced on every load: a document without a
 * pinned key is ERR_PIN_MISMATCH, and nothing falls back to an unpinned key.
 */
export class KeyDirectory {
  #loaded: Promise<ClientProtocol> | undefined;
  #latest: ClientProtocol | undefined;
  #reloading: Promise<ClientProtocol> | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly backend: () => Promise<CryptoBackend>,
    private readonly clock: ServerClock,
  ) {}

  /** False when keys were shipped without a discovery URL: nothing to reload from. */
  get canReload(): boolean {
    return this.options.discoveryUrl !== undefined;
  }

  async current(): Promise<ClientProtocol> {
    if (this.#reloading !== undefined) return await this.#reloading;
    if (this.#loaded === undefined) {
      const loading = this.#load(this.options.keys === undefined);
      this.#loaded = loading;
      // A failed first load is retried by the next request, not remembered.
      loading.catch(() => {
        if (this.#loaded === loading) this.#loaded = undefined;
      });
    }
    const protocol = await this.#loaded;
    const notAfter = protocol.key.notAfter;
    if (notAfter !== undefined && this.clock.now() >= notAfter && this.canReload)
      return await this.reload(protocol);
    return protocol;
  }

  /** Reloads the keys because `stale` was refused. Callers holding the same stale protocol share one reload. */
  async reload(stale: ClientProtocol): Promise<ClientProtocol> {
    if (this.#latest !== stale) return await this.current();
    this.#reloading ??= this.#load(true)
      .then((protocol) => {
        this.#loaded = Promise.resolve(protocol);
        return protocol;
      })
      .finally(() => {
        this.#reloading = undefined;
      });
    return await this.#reloading;
  }

  async #load(fetchDocument: boolean): Promise<ClientProtocol> {
    const { options } = this;
    const [backend, discovery] = await Promise.all([
      this.backend(),
      fetchDocument ? this.#fetchDocument() : options.keys,
    ]);
    const protocol = await ClientProtocol.create({
      backend,
      discovery,
      clock: () => this.clock.now(),
      maxBodyBytes: options.limits.maxBodyBytes,
      ...(options.pins === undefined ? {} : { pins: options.pins }),
      ...(options.suites === undefined ? {} : { suites: options.suites }),
    });
    this.#latest = protocol;
    return protocol;
  }

  async #fetchDocument(): Promise<unknown> {
    const url = this.options.discoveryUrl!;
    const response = await this.options.fetch(url.href, {
      headers: { accept: 'application/json' },
      // Revalidated each time: a reload after ERR_UNKNOWN_KEY must not get the copy a cache kept.
      cache: 'no-cache',
      // The document decides which keys are trusted: do not follow it elsewhere.
      redirect: 'error',
    });
    if (response.status !== 200) {
      const rejection = await rejectionOf(response);
      // Not a cipherlayer error body: there is no key to select.
      throw rejection.code === 'ERR_PLAINTEXT_REJECTED'
        ? serverError('ERR_UNKNOWN_KEY', response)
        : rejection;
    }
    const bytes = await readLimited(response.body, MAX_DISCOVERY_BYTES);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw serverError('ERR_MALFORMED', response);
    }
  }
}
