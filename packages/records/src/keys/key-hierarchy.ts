import { CipherlayerError } from '@cipherlayer/core';
import type { AuditSink } from '../audit.js';
import type { Keyring } from '../keyring.js';
import { KeyCache } from './key-cache.js';
import type { KeyRecord, KeyState, KeyStore } from './key-store.js';
import { INDEX_SCOPE, type KeyScopePolicy, parseScope, type Scope, scopeOf } from './scope.js';
import { SealingKeys } from './sealing-keys.js';
import { activeOrNew, type UnwrappedKey, unwrapRecord } from './unwrapped-key.js';

export interface KeyHierarchyOptions {
  readonly policy: KeyScopePolicy;
  readonly messageLimit: number;
  readonly reserveBlock: number;
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly maxEntries: number;
}

const MAX_CACHED_SCOPES = 10_000;

function notADataKey(id: string): CipherlayerError {
  return new CipherlayerError('ERR_UNKNOWN_KEY', {
    detail: `data key ${id} is not in the keys table (cipherlayer_keys)`,
  });
}

/**
 * KEK (in the keyring) → data keys and index root keys (wrapped, in the keys
 * table) → fields and blind indexes. This object hands out unwrapped keys
 * from its caches and changes key states; the crypto on fields is elsewhere.
 */
export class KeyHierarchy {
  readonly store: KeyStore;
  readonly keyring: Keyring;
  readonly policy: KeyScopePolicy;
  readonly #opening: KeyCache;
  readonly #sealing: SealingKeys;
  readonly #audit: AuditSink;
  readonly #options: KeyHierarchyOptions;
  #indexRoots: { readonly keys: Promise<UnwrappedKey[]>; readonly expiresAt: number } | undefined;
  #indexRootsLoaded: { readonly keys: UnwrappedKey[]; readonly expiresAt: number } | undefined;
  readonly #scopes = new Map<string, Map<string | undefined, Scope>>();

  constructor(store: KeyStore, keyring: Keyring, options: KeyHierarchyOptions, audit: AuditSink) {
    this.store = store;
    this.keyring = keyring;
    this.policy = options.policy;
    this.#options = options;
    this.#audit = audit;
    this.#opening = new KeyCache(options.maxAgeMs, options.maxEntries);
    this.#sealing = new SealingKeys(store, keyring, this.#opening, options, audit);
  }

  scope(table: string, tenant: string | undefined): Scope {
    // Cached: this is on every encryption, and scope names are built with encodeURIComponent.
    let byTenant = this.#scopes.get(table);
    if (byTenant === undefined) {
      if (this.#scopes.size >= MAX_CACHED_SCOPES) this.#scopes.clear();
      byTenant = new Map();
      this.#scopes.set(table, byTenant);
    }
    let scope = byTenant.get(tenant);
    if (scope === undefined) {
      if (byTenant.size >= MAX_CACHED_SCOPES) byTenant.clear();
      scope = scopeOf(this.policy, table, tenant);
      byTenant.set(tenant, scope);
    }
    return scope;
  }

  /** The data key for one more field of this scope (one message counted against its limit). */
  sealingKey(scope: Scope): UnwrappedKey | Promise<UnwrappedKey> {
    return this.#sealing.take(scope);
  }

  /** The data key a field ciphertext names, synchronously when it is cached. */
  openingKey(id: string): UnwrappedKey | Promise<UnwrappedKey> {
    const cached = this.#opening.peek(id);
    // Index root keys share the cache; a field never opens under one.
    if (cached !== undefined && cached.purpose === 'data') return cached;
    if (cached !== undefined) return Promise.reject(notADataKey(id));
    return this.#opening
      .get(id, () => this.#load(id))
      .then((key) => {
        if (key.purpose !== 'data') throw notADataKey(id);
        return key;
      });
  }

  async #load(id: string): Promise<UnwrappedKey> {
    const record = await this.store.byId(id);
    if (record === undefined || record.purpose !== 'data') throw notADataKey(id);
    return unwrapRecord(this.keyring, record, this.#audit);
  }

  /**
   * The live index root keys, newest generation first: the active one (made
   * when there is none) and those still retiring. Lookups hash under each;
   * writes use the first.
   */
  indexRoots(): UnwrappedKey[] | Promise<UnwrappedKey[]> {
    const now = Date.now();
    const loaded = this.#indexRootsLoaded;
    if (loaded !== undefined && loaded.expiresAt > now) return loaded.keys;
    if (this.#indexRoots === undefined || this.#indexRoots.expiresAt <= now) {
      const expiresAt = now + this.#options.maxAgeMs;
      const keys = this.#loadIndexRoots();
      this.#indexRoots = { keys, expiresAt };
      keys.then(
        (list) => {
          if (this.#indexRoots?.keys === keys) this.#indexRootsLoaded = { keys: list, expiresAt };
        },
        () => {
          this.#indexRoots = undefined;
        },
      );
    }
    return this.#indexRoots.keys;
  }

  #forgetIndexRoots(): void {
    this.#indexRoots = undefined;
    this.#indexRootsLoaded = undefined;
  }

  async #loadIndexRoots(): Promise<UnwrappedKey[]> {
    const scope: Scope = { name: INDEX_SCOPE };
    const { record, created } = await activeOrNew(
      this.store,
      this.keyring,
      'index',
      scope,
      this.#options.messageLimit,
      this.#audit,
    );
    const active =
      created ?? (await this.#opening.get(record.id, () => unwrapRecord(this.keyring, record, this.#audit)));
    const retiring = await this.store.list({ purpose: 'index', scope: INDEX_SCOPE, states: ['retiring'] });
    const older = await Promise.all(
      retiring.map((r) => this.#opening.get(r.id, () => unwrapRecord(this.keyring, r, this.#audit))),
    );
    return [active, ...older.sort((a, b) => b.generation - a.generation)];
  }

  /**
   * Data key rotation, first step: the active key of each matching scope
   * becomes retiring (it still decrypts); the next field of that scope gets a
   * new key. Other processes follow when their reservation or cache expires.
   * The re-encryption job then moves the fields.
   */
  async rotateDataKeys(
    filter: { readonly table?: string; readonly tenant?: string } = {},
  ): Promise<KeyRecord[]> {
    const byTable = this.policy === 'table' || this.policy === 'tenant-table';
    const byTenant = this.policy === 'tenant' || this.policy === 'tenant-table';
    if ((filter.table !== undefined && !byTable) || (filter.tenant !== undefined && !byTenant))
      throw new CipherlayerError('ERR_CONFIG', {
        detail: `rotateDataKeys: data keys are scoped "${this.policy}", so filter only by ${
          byTable && byTenant
            ? 'table and tenant'
            : byTable
              ? 'table'
              : byTenant
                ? 'tenant'
                : 'nothing (one global key)'
        }`,
      });
    const active = await this.store.list({ purpose: 'data', states: ['active'] });
    const moved: KeyRecord[] = [];
    for (const key of active) {
      const scope = parseScope(key.scope);
      if (filter.table !== undefined && scope.table !== filter.table) continue;
      if (filter.tenant !== undefined && scope.tenant !== filter.tenant) continue;
      if (!(await this.store.setState(key.id, ['active'], 'retiring'))) continue;
      this.#audit({ type: 'rotate', purpose: 'data', keyId: key.id, scope: key.scope, reason: 'requested' });
      moved.push(key);
    }
    this.#sealing.clear();
    return moved;
  }

  /** Index key rotation: a new root generation for writes; lookups query both until the old one is retired. */
  async rotateIndexKey(): Promise<KeyRecord[]> {
    const moved = await this.store.retireActive('index', INDEX_SCOPE);
    for (const key of moved)
      this.#audit({ type: 'rotate', purpose: 'index', keyId: key.id, scope: key.scope, reason: 'requested' });
    this.#forgetIndexRoots();
    return moved;
  }

  /** Retires keys that were retiring: they no longer decrypt. Active keys must be rotated first. */
  async retire(ids: readonly string[]): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) {
      const record = await this.store.byId(id);
      if (record === undefined)
        throw new CipherlayerError('ERR_UNKNOWN_KEY', { detail: `key ${id} is not in the keys table` });
      if (record.state === 'active')
        throw new CipherlayerError('ERR_CONFIG', {
          detail: `key ${id} is active: rotate it first (rotateDataKeys or rotateIndexKey), re-encrypt, then retire it`,
        });
      if (await this.store.setState(id, ['retiring'], 'retired')) {
        this.#audit({ type: 'retire', purpose: record.purpose, keyId: id });
        done.push(id);
      }
      this.#opening.evict(id);
    }
    this.#forgetIndexRoots();
    return done;
  }

  /** Puts a retired key back to retiring (it decrypts again), for data found after it was retired. */
  async reinstate(id: string): Promise<boolean> {
    return this.store.setState(id, ['retired'] satisfies KeyState[], 'retiring');
  }

  /** Drops every unwrapped key from memory. */
  forget(): void {
    this.#opening.clear();
    this.#sealing.clear();
    this.#forgetIndexRoots();
  }
}
