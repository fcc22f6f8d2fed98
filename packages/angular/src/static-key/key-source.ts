import { InjectionToken } from '@angular/core';
import { CipherlayerError, fromHex } from '@cipherlayer/core';
import { importStaticKey } from '@cipherlayer/profiles/static-key/browser';

/** Where `StaticKeyCrypto` gets its AES-256-GCM key, at each use. */
export interface AesKeySource {
  /** The current key; rejects when there is none (no plaintext is ever sent or accepted instead). */
  key(): Promise<CryptoKey>;
}

export const STATIC_KEY_SOURCE = new InjectionToken<AesKeySource>('cipherlayer static-key AES key source');

export const KEY_BYTES = 32;

/** 32 raw bytes, or 64 hex digits as in seed 002's `environment.aesKey`. Checked once, never echoed. */
export function readRawKey(key: string | Uint8Array, option: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array;
  if (typeof key === 'string') {
    try {
      bytes = fromHex(key);
    } catch {
      throw new CipherlayerError('ERR_CONFIG', { detail: `${option}: the key must be 64 hex digits` });
    }
  } else if (key instanceof Uint8Array) {
    bytes = key;
  } else {
    throw new CipherlayerError('ERR_CONFIG', { detail: `${option}: pass a hex string or a Uint8Array` });
  }
  if (bytes.length !== KEY_BYTES) {
    throw new CipherlayerError('ERR_CONFIG', { detail: `${option}: the key must be 32 bytes (AES-256)` });
  }
  // A copy, never a view: Buffer#slice would share (and, once zeroed, wipe) the caller's bytes.
  return new Uint8Array(bytes);
}

/**
 * Seed 002's key: the same AES key as the server, shipped in the bundle.
 * Anyone who has the bundle (DevTools, a saved copy of main.js) reads it
 * and can open and forge every payload of every user. Imported once,
 * non-extractable; the copy of the bytes held here is zeroed after import.
 */
export class BundledKey implements AesKeySource {
  #bytes: Uint8Array<ArrayBuffer> | undefined;
  #key: Promise<CryptoKey> | undefined;

  constructor(bytes: Uint8Array) {
    this.#bytes = readRawKey(bytes, 'bundledKey');
  }

  key(): Promise<CryptoKey> {
    if (this.#key === undefined) {
      const bytes = this.#bytes as Uint8Array<ArrayBuffer>;
      this.#key = importStaticKey(bytes).finally(() => {
        bytes.fill(0);
        this.#bytes = undefined;
      });
    }
    return this.#key;
  }
}
