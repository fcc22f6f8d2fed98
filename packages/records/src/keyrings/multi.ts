import { CipherlayerError, type ErrorCode, isCipherlayerError } from '@cipherlayer/core';
import type { EncryptionContext, Keyring, WrappedKey } from '../keyring.js';
import { configError, isPlainObject, onlyKnownKeys } from '../lib/options.js';
import { decodeWrappedList, encodeWrappedList } from './multi-encoding.js';

export interface MultiKeyringOptions {
  /** Every new data key is wrapped under each of these (two KMS regions, or a KMS and an offline HSM). */
  readonly keyrings: readonly Keyring[];
  /** Keyrings that only unwrap: the one you are moving away from, until KEK rotation has re-wrapped everything. */
  readonly decryptOnly?: readonly Keyring[];
}

const PREFIX = 'multi(';

/** When one of several tries fails, the error that says most: a reachable refusal beats an unknown KEK; an outage beats both. */
const severity: Partial<Record<ErrorCode, number>> = {
  ERR_STORE_UNAVAILABLE: 3,
  ERR_DECRYPT: 2,
  ERR_UNKNOWN_KEY: 1,
};

/**
 * Wraps under several keyrings and unwraps with any of them, routed by the
 * `keyringId` of each wrapping. It also unwraps keys wrapped by one of its
 * keyrings alone, which is how data keys move from one keyring to another:
 * `new MultiKeyring({ keyrings: [kms], decryptOnly: [local] })`, then KEK
 * rotation.
 */
export class MultiKeyring implements Keyring {
  readonly id: string;
  readonly #wrapWith: readonly Keyring[];
  readonly #all: readonly Keyring[];

  constructor(options: MultiKeyringOptions | readonly Keyring[]) {
    const resolved: MultiKeyringOptions = Array.isArray(options)
      ? { keyrings: options }
      : (options as MultiKeyringOptions);
    if (!isPlainObject(resolved as unknown))
      throw configError('MultiKeyring takes { keyrings, decryptOnly? } or a list of keyrings');
    onlyKnownKeys('MultiKeyring', resolved, ['keyrings', 'decryptOnly']);
    const wrapWith = resolved.keyrings;
    const decryptOnly = resolved.decryptOnly ?? [];
    if (!Array.isArray(wrapWith) || wrapWith.length === 0 || wrapWith.length > 255)
      throw configError('MultiKeyring keyrings: give 1 to 255 keyrings to wrap under');
    if (!Array.isArray(decryptOnly)) throw configError('MultiKeyring decryptOnly must be a list of keyrings');
    const all = [...wrapWith, ...decryptOnly];
    const ids = new Set<string>();
    for (const keyring of all) {
      if (typeof keyring?.id !== 'string' || typeof keyring.wrap !== 'function')
        throw configError('MultiKeyring: every entry must be a Keyring');
      if (ids.has(keyring.id)) throw configError(`MultiKeyring: keyring ${keyring.id} is listed twice`);
      ids.add(keyring.id);
    }
    this.#wrapWith = wrapWith;
    this.#all = all;
    this.id = `${PREFIX}${wrapWith.map((k) => k.id).join(',')})`;
  }

  async currentKekId(): Promise<string> {
    const ids = await Promise.all(this.#wrapWith.map(async (k) => `${k.id}=${await k.currentKekId()}`));
    return ids.join(';');
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    const list = await Promise.all(this.#wrapWith.map((k) => k.wrap(dataKey, context)));
    return this.#combine(list);
  }

  async unwrap(wrapped: WrappedKey, context: EncryptionContext): Promise<Uint8Array> {
    const failures: unknown[] = [];
    for (const [keyring, entry] of this.#routes(wrapped)) {
      try {
        return await keyring.unwrap(entry, context);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 0)
      throw new CipherlayerError('ERR_UNKNOWN_KEY', {
        detail: `none of the keyrings that wrapped this key (${this.#wrappers(wrapped).join(', ')}) is in ${this.id}`,
      });
    const code = failures
      .map((f) => (isCipherlayerError(f) ? f.code : 'ERR_INTERNAL'))
      .reduce<ErrorCode>((a, b) => ((severity[b] ?? 4) > (severity[a] ?? 4) ? b : a), 'ERR_UNKNOWN_KEY');
    throw new CipherlayerError(code, {
      cause: new AggregateError(failures, 'every keyring refused'),
      detail: `no keyring of ${this.id} unwrapped this key`,
    });
  }

  async rewrap(wrapped: WrappedKey, context: EncryptionContext): Promise<WrappedKey> {
    const entries = this.#entries(wrapped);
    let plain: Uint8Array | undefined;
    try {
      const list: WrappedKey[] = [];
      for (const keyring of this.#wrapWith) {
        const own = entries.find((e) => e.keyringId === keyring.id);
        if (own !== undefined) {
          list.push(await keyring.rewrap(own, context));
        } else {
          plain ??= await this.unwrap(wrapped, context);
          list.push(await keyring.wrap(plain, context));
        }
      }
      return this.#combine(list);
    } finally {
      plain?.fill(0);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((k) => k.close?.()));
  }

  #combine(list: readonly WrappedKey[]): WrappedKey {
    return {
      keyringId: this.id,
      kekId: list.map((w) => `${w.keyringId}=${w.kekId}`).join(';'),
      ciphertext: encodeWrappedList(list),
    };
  }

  /** The single wrappings inside `wrapped`: its list when it is a multi-keyring's, else itself. */
  #entries(wrapped: WrappedKey): WrappedKey[] {
    return wrapped.keyringId.startsWith(PREFIX) ? decodeWrappedList(wrapped.ciphertext) : [wrapped];
  }

  #wrappers(wrapped: WrappedKey): string[] {
    return this.#entries(wrapped).map((e) => e.keyringId);
  }

  /** (keyring, wrapping) pairs to try, in this keyring's order. */
  #routes(wrapped: WrappedKey): [Keyring, WrappedKey][] {
    const entries = this.#entries(wrapped);
    const routes: [Keyring, WrappedKey][] = [];
    for (const keyring of this.#all) {
      const entry = entries.find((e) => e.keyringId === keyring.id);
      if (entry !== undefined) routes.push([keyring, entry]);
    }
    return routes;
  }
}
