import { type DiscoveryDocument, fromBase64Url, type ServerKeySet } from '@cipherlayer/core';

type MaybePromise<T> = T | Promise<T>;

/**
 * The well-known resources (spec/http.md, "Well-known resources"), under an
 * optional prefix. Paths are matched against the request target as the
 * server receives it, query string ignored.
 */
export type WellKnownResource = 'discovery' | 'ohttp-keys' | 'session';

export interface WellKnownPaths {
  readonly discovery: string;
  readonly ohttpKeys: string;
  readonly session: string;
}

export function wellKnownPaths(prefix: string): WellKnownPaths {
  return {
    discovery: `${prefix}/.well-known/cipherlayer`,
    ohttpKeys: `${prefix}/.well-known/ohttp-gateway`,
    session: `${prefix}/.well-known/cipherlayer/session`,
  };
}

export class WellKnownMatcher {
  readonly #base: string;
  readonly #byPath: ReadonlyMap<string, WellKnownResource>;

  constructor(prefix: string, paths: WellKnownPaths) {
    this.#base = `${prefix}/.well-known/`;
    this.#byPath = new Map<string, WellKnownResource>([
      [paths.discovery, 'discovery'],
      [paths.ohttpKeys, 'ohttp-keys'],
      [paths.session, 'session'],
    ]);
  }

  /** One `startsWith` for every ordinary request. */
  match(target: string): WellKnownResource | undefined {
    if (!target.startsWith(this.#base)) return undefined;
    const query = target.indexOf('?');
    return this.#byPath.get(query === -1 ? target : target.slice(0, query));
  }
}

/** The discovery document, serialised, and the same keys as `application/ohttp-keys` bytes. */
export interface PublishedKeys {
  readonly json: string;
  readonly ohttpKeys: Uint8Array;
}

/**
 * Until when a discovery document stays right: it lists keys whose notAfter
 * is still ahead, so it changes when the first of them passes (or when the
 * key set is replaced, which clears the cache).
 */
function publishedUntil(keys: ServerKeySet, now: number): number {
  let until = Number.POSITIVE_INFINITY;
  for (const key of keys.keys) {
    if (key.notAfter !== undefined && key.notAfter > now && key.notAfter < until) until = key.notAfter;
  }
  return until;
}

/** Serves the discovery resources from a cache, built again when the keys change or one expires. */
export class PublishedKeysCache {
  #published: PublishedKeys | undefined;
  #until = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly keys: () => ServerKeySet,
    private readonly document: () => MaybePromise<DiscoveryDocument>,
    private readonly clock: () => number,
  ) {}

  clear(): void {
    this.#published = undefined;
  }

  get(): MaybePromise<PublishedKeys> {
    const now = this.clock();
    if (this.#published !== undefined && now < this.#until) return this.#published;
    const keys = this.keys();
    const remember = (document: DiscoveryDocument): PublishedKeys => {
      const published = { json: JSON.stringify(document), ohttpKeys: fromBase64Url(document.ohttpKeys) };
      // A setKeys() during an asynchronous build must not be overwritten by the old set's document.
      if (this.keys() === keys) {
        this.#published = published;
        this.#until = publishedUntil(keys, now);
      }
      return published;
    };
    const document = this.document();
    return document instanceof Promise ? document.then(remember) : remember(document);
  }
}
