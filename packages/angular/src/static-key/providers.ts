import {
  type EnvironmentProviders,
  InjectionToken,
  inject,
  makeEnvironmentProviders,
  type Provider,
} from '@angular/core';
import { CipherlayerError } from '@cipherlayer/core';
import { isRouteSelector, type RouteSelector } from '../lib/route-selector.js';
import { BundledKey, readRawKey, STATIC_KEY_SOURCE } from './key-source.js';
import { checkSessionKeyOptions, type SessionKeyOptions, SessionKeyStore } from './session-key-store.js';
import { StaticKeyCrypto } from './static-key-crypto.js';

/** Made by `bundledKey` or `sessionKey` only. */
export interface KeyChoice {
  readonly kind: 'bundled' | 'session';
}

const keyProviders = new WeakMap<KeyChoice, Provider[]>();

function configError(detail: string): CipherlayerError {
  return new CipherlayerError('ERR_CONFIG', { detail });
}

/**
 * Seed 002 as written: the server's AES key in the bundle (64 hex digits or
 * 32 bytes). UNSAFE against anyone who has the bundle: they read the key
 * and open, or forge, every user's payloads. Use `sessionKey()` instead.
 */
export function bundledKey(key: string | Uint8Array): KeyChoice {
  const bytes = readRawKey(key, 'bundledKey');
  const choice: KeyChoice = Object.freeze({ kind: 'bundled' });
  keyProviders.set(choice, [{ provide: STATIC_KEY_SOURCE, useFactory: () => new BundledKey(bytes) }]);
  return choice;
}

/**
 * The seed's mitigation: no key in the bundle; a per-session key unwrapped
 * from the login response (inject `SessionKeyStore`, call
 * `unwrapFromLogin`). Encrypted routes fail, unsent, until then.
 */
export function sessionKey(options: SessionKeyOptions = {}): KeyChoice {
  const bounds = checkSessionKeyOptions(options);
  const choice: KeyChoice = Object.freeze({ kind: 'session' });
  keyProviders.set(choice, [
    { provide: SessionKeyStore, useFactory: () => new SessionKeyStore(bounds) },
    { provide: STATIC_KEY_SOURCE, useExisting: SessionKeyStore },
  ]);
  return choice;
}

export interface StaticKeyEncryptionOptions {
  /** `bundledKey(hex)` (the seed, unsafe) or `sessionKey()` (per-session key after login). */
  key: KeyChoice;
  /** Which requests use the envelope; `ENCRYPTED_ROUTE` in a request's context overrides it. */
  routes: RouteSelector;
  /**
   * Seal request bodies of selected routes in the same envelope. Default
   * true. `false` only for a server written from the seed alone, which
   * encrypts responses and reads plain request bodies.
   */
  encryptRequestBodies?: boolean;
}

export interface StaticKeySettings {
  readonly routes: RouteSelector;
  readonly encryptRequestBodies: boolean;
}

export const STATIC_KEY_SETTINGS = new InjectionToken<StaticKeySettings>('cipherlayer static-key settings');

const KNOWN_OPTIONS = new Set(['key', 'routes', 'encryptRequestBodies']);

function checkOptions(options: StaticKeyEncryptionOptions): {
  settings: StaticKeySettings;
  keys: Provider[];
} {
  if (typeof options !== 'object' || options === null) {
    throw configError('provideStaticKeyEncryption: options must be an object');
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) {
      throw configError(`provideStaticKeyEncryption: unknown option ${JSON.stringify(name)}`);
    }
  }
  const keys = keyProviders.get(options.key);
  if (keys === undefined) throw configError('key: use bundledKey(...) or sessionKey(...)');
  const { routes } = options;
  if (!isRouteSelector(routes)) throw configError("routes: pass 'all' or a predicate (request) => boolean");
  const encryptRequestBodies = options.encryptRequestBodies ?? true;
  if (typeof encryptRequestBodies !== 'boolean') throw configError('encryptRequestBodies: must be a boolean');
  return { settings: Object.freeze({ routes, encryptRequestBodies }), keys };
}

/**
 * The static-key profile for HttpClient: key, route selection, and
 * `StaticKeyCrypto`. Add `staticKeyInterceptor` with `withInterceptors`.
 * Options are checked here, once; a mistake throws ERR_CONFIG naming it.
 */
export function provideStaticKeyEncryption(options: StaticKeyEncryptionOptions): EnvironmentProviders {
  const { settings, keys } = checkOptions(options);
  return makeEnvironmentProviders([
    { provide: STATIC_KEY_SETTINGS, useValue: settings },
    ...keys,
    { provide: StaticKeyCrypto, useFactory: () => new StaticKeyCrypto(inject(STATIC_KEY_SOURCE)) },
  ]);
}
